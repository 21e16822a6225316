-- Back to battery_status as 20261121190400_battery_status created it: the
-- battery over the whole import.

CREATE OR REPLACE FUNCTION battery_status(site bigint, capacity double precision, efficiency double precision)
RETURNS TABLE ("timestamp" timestamptz, stored double precision, import double precision, export double precision)
LANGUAGE plpgsql STABLE STRICT
AS $$
DECLARE
  energy double precision := 0;
  export_wh double precision;
  import_wh double precision;
  r record;
BEGIN
  -- In PostgreSQL NaN sorts above every number, so these also refuse NaN.
  IF NOT (capacity > 0 AND capacity < 'Infinity') THEN
    RAISE EXCEPTION 'battery capacity must be greater than 0 Wh, got %', capacity
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT (efficiency > 0 AND efficiency <= 1) THEN
    RAISE EXCEPTION 'battery efficiency must be in (0, 1], got %', efficiency
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  FOR r IN
    SELECT s."timestamp" AS ts, s.import AS import_wh, s.export AS export_wh
      FROM summary s
     WHERE s.site_id = battery_status.site
     ORDER BY s."timestamp"
  LOOP
    -- NULL <> 0 is NULL, which IF treats as false: NULL skips the step.
    export_wh := r.export_wh;
    IF export_wh <> 0 AND export_wh <> 'NaN' AND energy < capacity THEN
      energy := energy + export_wh;
      IF energy > capacity THEN
        export_wh := energy - capacity;
        energy := capacity;
      ELSE
        export_wh := 0;
      END IF;
    END IF;

    import_wh := r.import_wh;
    IF import_wh <> 0 AND import_wh <> 'NaN' AND energy > 0 THEN
      energy := energy - import_wh / efficiency;
      IF energy < 0 THEN
        import_wh := -energy * efficiency;
        energy := 0;
      ELSE
        import_wh := 0;
      END IF;
    END IF;

    battery_status."timestamp" := r.ts;
    battery_status.stored := energy;
    battery_status.import := import_wh;
    battery_status.export := export_wh;
    RETURN NEXT;
  END LOOP;
END
$$;

COMMENT ON FUNCTION battery_status(bigint, double precision, double precision) IS
  'The seed article''s battery generator over summary for one site, in timestamp order: '
  'charge from export first up to capacity (Wh), then discharge to cover import with the '
  'round-trip efficiency applied on discharge. Same arithmetic as solarview''s Go seed model.';
