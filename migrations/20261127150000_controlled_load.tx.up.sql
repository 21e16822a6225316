-- Controlled load: a plan may price the controlled-load circuit (off-peak hot
-- water on a timer, metered on an element of its own; the site's "CL" import
-- channel) at rates and with a daily supply charge of its own. Such a supply
-- charge, usage rate or block rate has controlled_load set; every other one
-- is for the general circuit, as before.

ALTER TABLE tariff_daily_supply_charges
  ADD COLUMN controlled_load boolean NOT NULL DEFAULT false;

ALTER TABLE tariff_usage_rates
  ADD COLUMN controlled_load boolean NOT NULL DEFAULT false;

ALTER TABLE tariff_block_rates
  ADD COLUMN controlled_load boolean NOT NULL DEFAULT false;

-- A demand charge per kVA (CDR measureUnit KVA). Interval data carries no
-- power factor, so solarview measures such demand in kW, as if the power
-- factor were 1: per_kva keeps the plan's unit so reports can say the charge
-- is a lower bound.
ALTER TABLE tariff_demand_charges
  ADD COLUMN per_kva boolean NOT NULL DEFAULT false;
