DROP TRIGGER generation_insert ON generation;
DROP TRIGGER meter_intervals_insert ON meter_intervals;
DROP FUNCTION generation_insert();
DROP FUNCTION meter_intervals_insert();
DROP FUNCTION energy_days_put(bigint, text, text, timestamptz, interval, double precision, text, timestamptz);
