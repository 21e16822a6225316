ALTER TABLE tariff_demand_charges
  DROP COLUMN per_kva;

ALTER TABLE tariff_block_rates
  DROP COLUMN controlled_load;

ALTER TABLE tariff_usage_rates
  DROP COLUMN controlled_load;

ALTER TABLE tariff_daily_supply_charges
  DROP COLUMN controlled_load;
