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
// is renamed into place), and a stale postmaster.pid is recognised and left for
// PostgreSQL to replace.
//
// PostgreSQL refuses to run as root. When solarview runs as root, initdb and the
// server run as the "postgres" system user, which owns the data and socket
// directories. That user usually cannot enter the directories above the data
// directory (e.g. /root is 0700), so Start grants it — and only it — traverse
// (x) permission on each such directory with a POSIX ACL entry
// (user:postgres:--x), leaving everyone else's access unchanged.
package pgserver
