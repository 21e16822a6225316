DROP TABLE public_holidays;
DROP TABLE tariff_discounts;
DROP TABLE tariff_block_rates;

ALTER TABLE tariff_demand_charges
  DROP COLUMN max_kw,
  DROP COLUMN min_kw,
  DROP COLUMN nem_time,
  DROP COLUMN public_holidays;

ALTER TABLE tariff_feed_in_rates
  DROP COLUMN nem_time,
  DROP COLUMN public_holidays;

ALTER TABLE tariff_usage_rates
  DROP COLUMN nem_time,
  DROP COLUMN public_holidays;

ALTER TABLE tariff_daily_supply_charges
  DROP CONSTRAINT tariff_daily_supply_charges_season,
  DROP COLUMN season_end,
  DROP COLUMN season_start;
