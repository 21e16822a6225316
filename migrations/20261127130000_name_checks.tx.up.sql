-- Names of sites, tariffs and retailers are printed in tables and messages:
-- refuse characters a terminal acts on instead of printing (C0 and C1
-- controls with DEL, line and paragraph separators, bidirectional overrides
-- and isolates) and names too long for any table. The CLI checks the same
-- rules first (internal/names) to say why in words.
--
-- An NMI is at most 10 letters and digits, as NEM12 200 records carry it;
-- `site add --nmi` also holds it to AEMO's exact form (10 characters, no O or
-- I), which the import's test files, with made-up NMIs, do not all follow.
ALTER TABLE sites
  ADD CONSTRAINT sites_name_printable CHECK (
    char_length(name) <= 200
    AND name !~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]'),
  ADD CONSTRAINT sites_nmi_format CHECK (nmi ~ '^[A-Za-z0-9]{1,10}$');

ALTER TABLE retailers
  ADD CONSTRAINT retailers_name_printable CHECK (
    char_length(name) <= 200
    AND name !~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]');

ALTER TABLE tariffs
  ADD CONSTRAINT tariffs_name_printable CHECK (
    char_length(name) <= 200
    AND name !~ '[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]');
