-- Interval energy moves from one row per interval (meter_intervals,
-- generation) to one row per site, kind, channel and NEM day holding that
-- day's values as an array, the way a NEM12 300 record carries them. A
-- 5-minute site-year of generation, import and export shrinks from about
-- 60 MB (tuple headers, a timestamp and a key per value) to about 3 MB.
--
-- A row's values are energy[1..n] in Wh for the intervals starting at
-- start, start + step, ...; a NULL element is an interval the site has no
-- reading for. Rows are cut at NEM midnights (00:00 UTC+10): start is the
-- NEM midnight plus the phase of the data's grid (the intervals' offset from
-- midnight modulo step), and the array covers the rest of that day, so rows
-- of one site and day with the same step line up element by element, which
-- is what makes the summary view fast. quality holds one NEM12 quality
-- character per element, or is NULL when every reading is actual (A);
-- updated_at is the meter data provider's update time of the readings (NEM12
-- UpdateDateTime), NULL when the file did not say.
--
-- The importer keeps the invariant that no two stored intervals of one site,
-- kind and channel overlap.
--
-- The views that read the old tables are first replaced by placeholders with
-- the same columns (the next view migration gives them their definitions over
-- the new table), so no dependent view has to be dropped.

CREATE OR REPLACE VIEW summary AS
    SELECT NULL::bigint AS site_id, NULL::timestamptz AS "timestamp",
        NULL::double precision AS generation, NULL::double precision AS import,
        NULL::double precision AS export, NULL::double precision AS consumption
    WHERE false;

CREATE OR REPLACE VIEW import AS
    SELECT NULL::bigint AS site_id, NULL::timestamptz AS "timestamp", NULL::double precision AS energy
    WHERE false;

CREATE OR REPLACE VIEW export AS
    SELECT NULL::bigint AS site_id, NULL::timestamptz AS "timestamp", NULL::double precision AS energy
    WHERE false;

CREATE OR REPLACE VIEW site_overview AS
    SELECT NULL::bigint AS site_id, NULL::text[] AS sensor_codes,
        NULL::timestamptz AS first_data_at, NULL::timestamptz AS last_data_at
    WHERE false;

CREATE TABLE energy_days (
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('generation', 'import', 'export')),
  start timestamptz NOT NULL,
  channel text NOT NULL CHECK (btrim(channel) <> ''),
  step interval NOT NULL CHECK (step > interval '0' AND step <= interval '24 hours'),
  energy double precision[] NOT NULL CHECK (array_ndims(energy) = 1 AND array_lower(energy, 1) = 1),
  quality text CHECK (quality ~ '^[ASFENV]+$' AND length(quality) = cardinality(energy)),
  updated_at timestamptz,
  PRIMARY KEY (site_id, kind, start, channel, step)
) WITH (toast_tuple_target = 8160);

-- A day of 5-minute values is 2.3 kB: above the 2 kB at which PostgreSQL
-- would compress it (floats barely compress) or move it to the TOAST table
-- (an extra index lookup per row when reading). Keep it in the row, plain.
ALTER TABLE energy_days
  ALTER COLUMN energy SET STORAGE MAIN,
  ALTER COLUMN quality SET STORAGE MAIN;

-- The old generation table has no interval length: each site's is taken as
-- the shortest gap between its readings (half an hour for a single reading).
-- It only places the values on a grid; summary joins on timestamps.
WITH gaps AS (
  SELECT site_id, "timestamp", energy,
    lead("timestamp") OVER (PARTITION BY site_id ORDER BY "timestamp") - "timestamp" AS gap
  FROM generation
), gen AS (
  SELECT site_id, "timestamp", energy,
    coalesce(min(gap) OVER (PARTITION BY site_id), interval '30 minutes') AS step
  FROM gaps
), src AS (
  SELECT site_id, direction AS kind, channel, "timestamp" AS ts,
    make_interval(secs => extract(epoch FROM duration)::double precision) AS step,
    energy, quality, NULL::timestamptz AS updated_at
  FROM meter_intervals
  UNION ALL
  SELECT site_id, 'generation', 'generation', "timestamp",
    make_interval(secs => extract(epoch FROM step)::double precision), energy, 'A', NULL
  FROM gen
), placed AS (
  SELECT s.*, b.bucket + b.phase AS start,
    (extract(epoch FROM s.ts - b.bucket - b.phase) / extract(epoch FROM s.step))::int + 1 AS pos,
    ceil(extract(epoch FROM interval '24 hours' - b.phase) / extract(epoch FROM s.step))::int AS size
  FROM src s
  CROSS JOIN LATERAL (SELECT date_bin('24 hours', s.ts, '2000-01-01 00:00:00+10') AS bucket) d
  CROSS JOIN LATERAL (SELECT d.bucket,
    make_interval(secs => mod(extract(epoch FROM s.ts - d.bucket), extract(epoch FROM s.step))::double precision) AS phase) b
)
INSERT INTO energy_days (site_id, kind, start, channel, step, energy, quality, updated_at)
SELECT p.site_id, p.kind, p.start, p.channel, p.step,
  CASE WHEN count(*) = max(p.size) THEN array_agg(p.energy ORDER BY p.pos)
  ELSE (SELECT array_agg(x.e ORDER BY g.i) FROM generate_series(1, max(p.size)) g(i)
        LEFT JOIN unnest(array_agg(p.pos), array_agg(p.energy)) x(pos, e) ON x.pos = g.i) END,
  CASE WHEN bool_and(p.quality = 'A') THEN NULL
  WHEN count(*) = max(p.size) THEN string_agg(p.quality, '' ORDER BY p.pos)
  ELSE (SELECT string_agg(coalesce(x.q, 'A'), '' ORDER BY g.i) FROM generate_series(1, max(p.size)) g(i)
        LEFT JOIN unnest(array_agg(p.pos), array_agg(p.quality)) x(pos, q) ON x.pos = g.i) END,
  max(p.updated_at)
FROM placed p
GROUP BY p.site_id, p.kind, p.start, p.channel, p.step;

DROP TABLE meter_intervals;
DROP TABLE generation;
