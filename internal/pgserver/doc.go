// Package pgserver runs solarview's embedded PostgreSQL: a private cluster that
// solarview initialises and starts itself, from the server binaries already
// installed on the machine, whenever no --database-url / DATABASE_URL is given.
//
// A [Cluster] is described by its data directory. Everything else lives beside
// it, so one directory names one server:
//
//	<data>          the cluster (initdb -E UTF8 --locale=C, superuser "postgres")
//	<data>.lock     flock held while a process initialises, starts or stops it
//	<data>.log      the server's stderr, appended across runs
//	<data>.run/     0700 directory holding the Unix socket (the only listener)
//
// The server never listens on TCP (listen_addresses=”), and local socket
// connections are trusted: the 0700 socket directory is the access control, so
// only the server's owner (and root) can connect. A Unix socket path must fit
// in sun_path (104 bytes on macOS, 108 on Linux); when <data>.run would make it
// too long the socket directory moves to /tmp/solarview-<hash>, still 0700 and
// checked to be owned by the server user, so nobody can squat it.
//
// [Cluster.Start] is idempotent and safe to call from several goroutines and
// processes at once: the first one initialises and starts the server under the
// lock, the others wait for the lock and find it running. A data directory left
// half-initialised by a crash cannot happen (initdb writes to <data>.initdb and
// is renamed into place), and a stale postmaster.pid is recognised and replaced.
//
// PostgreSQL refuses to run as root. When solarview runs as root, initdb and the
// server run as the "postgres" system user, which owns the data and socket
// directories and every directory solarview creates for them. The default data
// directory is then /var/lib/solarview/postgres, which that user can reach
// without help. solarview never changes the permissions or ACLs of a directory
// it did not create: when a chosen data directory lies below one the postgres
// user cannot enter (such as /root, 0700), Start refuses in one line naming the
// directory and the command that would open it. A cluster that an earlier
// version created in root's home (with ACL entries user:postgres:--x on the
// directories above it) is still found and used.
//
// A postmaster.pid left by a crash may name a pid that now belongs to another
// process, even another PostgreSQL server; it counts as this cluster's server
// only when that process runs in this data directory (/proc/PID/cwd on Linux,
// or else the data_directory reported on the socket).
package pgserver
