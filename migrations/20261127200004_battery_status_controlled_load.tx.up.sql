-- battery_status, the SQL twin of internal/battery's seed model, learns the
-- rule the Go models follow for controlled load (package battery's
-- documentation): a home battery sits on the general circuit and never
-- supplies the controlled-load circuit, so it works on import less
-- summary.controlled_load and the controlled load is imported as it was. At a
-- site without a controlled-load channel (controlled_load NULL) nothing
-- changes. Everything else is as 20261121190400_battery_status wrote it; the
-- twin test holds the two to 1e-9 Wh, controlled load included.
--
-- It reads summary.controlled_load, which the summary view migration before
-- this one adds.

CREATE OR REPLACE FUNCTION battery_status(site bigint, capacity double precision, efficiency double precision)
RETURNS TABLE ("timestamp" timestamptz, stored double precision, import double precision, export double precision)
LANGUAGE plpgsql STABLE STRICT
AS $$
DECLARE
  energy double precision := 0;
  export_wh double precision;
  import_wh double precision;
  cl double precision;
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
    SELECT s."timestamp" AS ts, s.import AS import_wh, s.export AS export_wh, s.controlled_load AS cl_wh
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

    -- The battery serves the general circuit: the controlled load (NULL
    -- at a site that meters none) comes off the import, never below zero,
    -- and goes back on afterwards. NaN <> 'NaN' is false here, as NaN is
    -- "missing" to the Go engine. A NULL import stays NULL.
    cl := coalesce(r.cl_wh, 0);
    import_wh := r.import_wh;
    IF cl <> 0 AND cl <> 'NaN' THEN
      import_wh := CASE WHEN import_wh - cl < 0 THEN 0 ELSE import_wh - cl END;
    END IF;
    IF import_wh <> 0 AND import_wh <> 'NaN' AND energy > 0 THEN
      energy := energy - import_wh / efficiency;
      IF energy < 0 THEN
        import_wh := -energy * efficiency;
        energy := 0;
      ELSE
        import_wh := 0;
      END IF;
    END IF;

    IF cl <> 0 AND cl <> 'NaN' THEN
      import_wh := import_wh + cl;
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
  'charge from export first up to capacity (Wh), then discharge to cover the general import '
  '(import less controlled load, which the battery never supplies) with the round-trip '
  'efficiency applied on discharge. Same arithmetic as solarview''s Go seed model.';
