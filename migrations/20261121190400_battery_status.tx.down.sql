DROP FUNCTION battery_status(bigint, double precision, double precision);
