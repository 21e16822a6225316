-- battery_status: the seed article's battery generator as a set-returning
-- PL/pgSQL function over the summary view, for one site.
--
-- It is the SQL twin of internal/battery's seed model and must stay
-- operation for operation the same, because a test holds the two to 1e-9 Wh
-- on a real year:
--
--   * walk the site's summary rows in timestamp order, starting empty;
--   * charge from the interval's export first, up to capacity (Wh); what
--     does not fit is still exported;
--   * then discharge to cover the interval's import, drawing import /
--     efficiency from the battery (the whole round-trip efficiency is
--     charged on the way out); when the battery runs flat, the import left
--     is -energy * efficiency;
--   * a reading takes part only if Python would call it true: a NULL or 0
--     reading skips its step and is returned unchanged (NULL stays NULL, so
--     an unknown reading never becomes a known one). NaN, which Go reads as
--     missing, is skipped too. Negative readings are applied as they are.
--
-- Every variable is double precision, so the arithmetic is the same IEEE
-- arithmetic as the Go engine's, not numeric's decimal one (the seed used
-- numeric). Time is ignored, as the seed ignored it: no power limits, no
-- standby loss, gaps in the data are simply not there.
--
-- Unlike the seed, the function is STABLE (it reads tables), and refuses a
-- capacity or efficiency the Go engine would refuse.
--
-- This migration reads the summary view, so it is timestamped after the
-- generated migration that creates it (20261121185759_views) rather than in
-- the battery workstream's 2026112104xxxx block: PL/pgSQL binds table names
-- only when the function runs, so creating it earlier would work, but a
-- migration should never read as if it used something not yet there.

CREATE FUNCTION battery_status(site bigint, capacity double precision, efficiency double precision)
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
