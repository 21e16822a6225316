DROP TABLE tariff_demand_charges;
DROP TABLE tariff_feed_in_rates;
DROP TABLE tariff_usage_rates;
DROP TABLE tariff_daily_supply_charges;
DROP DOMAIN tariff_money;
DROP FUNCTION is_month_day(text);
