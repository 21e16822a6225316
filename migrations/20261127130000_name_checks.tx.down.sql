ALTER TABLE tariffs DROP CONSTRAINT tariffs_name_printable;
ALTER TABLE retailers DROP CONSTRAINT retailers_name_printable;
ALTER TABLE sites
  DROP CONSTRAINT sites_nmi_format,
  DROP CONSTRAINT sites_name_printable;
