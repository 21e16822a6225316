-- meter_intervals and generation were tables; they are now views over
-- energy_days. These INSTEAD OF triggers keep plain INSERTs into them (one
-- interval per row, as SQL scripts and COPY wrote them) working: each row
-- lands in the element of its energy_days row. As with the tables, storing
-- a second value for the same site, channel and instant is a unique
-- violation; use `solarview import` to replace data.
--
-- A view migration that drops and recreates either view drops its trigger:
-- such a migration must create it again.

CREATE FUNCTION energy_days_put(site bigint, kind text, channel text, ts timestamptz,
  step interval, value double precision, flag text, updated timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  day timestamptz := date_bin('24 hours', ts, '2000-01-01 00:00:00+10'::timestamptz);
  secs numeric := extract(epoch FROM step);
  phase interval := make_interval(secs => mod(extract(epoch FROM ts - day), secs)::double precision);
  pos int := (extract(epoch FROM ts - day - phase) / secs)::int + 1;
  size int := ceil(extract(epoch FROM interval '24 hours' - phase) / secs)::int;
  cur double precision[];
  q text;
BEGIN
  step := make_interval(secs => secs::double precision);
  SELECT r.energy, r.quality INTO cur, q FROM energy_days r
  WHERE r.site_id = site AND r.kind = energy_days_put.kind AND r.start = day + phase
    AND r.channel = energy_days_put.channel AND r.step = energy_days_put.step
  FOR UPDATE;
  IF NOT FOUND THEN
    cur := array_fill(NULL::double precision, ARRAY[size]);
    cur[pos] := value;
    INSERT INTO energy_days (site_id, kind, start, channel, step, energy, quality, updated_at)
    VALUES (site, kind, day + phase, channel, step, cur,
      CASE WHEN flag <> 'A' THEN overlay(repeat('A', size) PLACING flag FROM pos) END, updated);
    RETURN;
  END IF;
  IF cur[pos] IS NOT NULL THEN
    RAISE unique_violation USING MESSAGE = format(
      'site %s already has a %s value for channel %s at %s', site, kind, channel, ts);
  END IF;
  cur[pos] := value;
  IF flag <> 'A' OR q IS NOT NULL THEN
    q := overlay(coalesce(q, repeat('A', size)) PLACING flag FROM pos);
  END IF;
  UPDATE energy_days r SET energy = cur, quality = q, updated_at = greatest(r.updated_at, updated)
  WHERE r.site_id = site AND r.kind = energy_days_put.kind AND r.start = day + phase
    AND r.channel = energy_days_put.channel AND r.step = energy_days_put.step;
END
$$;

CREATE FUNCTION meter_intervals_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM energy_days_put(NEW.site_id, NEW.direction, NEW.channel, NEW."timestamp", NEW.duration,
    NEW.energy, coalesce(NEW.quality, 'A'), NEW.updated_at);
  RETURN NEW;
END
$$;

-- generation rows carry no interval length: each is stored as a 5-minute
-- interval, which only places it on a grid (summary joins on timestamps).
CREATE FUNCTION generation_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM energy_days_put(NEW.site_id, 'generation', 'generation', NEW."timestamp", interval '5 minutes',
    NEW.energy, 'A', NULL);
  RETURN NEW;
END
$$;

CREATE TRIGGER meter_intervals_insert INSTEAD OF INSERT ON meter_intervals
  FOR EACH ROW EXECUTE FUNCTION meter_intervals_insert();
CREATE TRIGGER generation_insert INSTEAD OF INSERT ON generation
  FOR EACH ROW EXECUTE FUNCTION generation_insert();
