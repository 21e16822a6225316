package commands

import (
	"errors"
	"net/url"
	"os"
	"strings"
)

// splitPassword returns dsn without its password, and the password. dsn is
// a postgres:// URL (password in the user part or a password= parameter) or
// a libpq key=value string. The rest is kept as written, so psql connects
// exactly as solarview does.
func splitPassword(dsn string) (conninfo, password string, err error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", "", errors.New("invalid database URL: cannot parse it as a URL")
		}
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				password = p
				u.User = url.User(u.User.Username())
			}
		}
		q := u.Query()
		if q.Has("password") {
			password = q.Get("password")
			q.Del("password")
			u.RawQuery = q.Encode()
		}
		return u.String(), password, nil
	}
	return splitKeywordPassword(dsn)
}

// splitKeywordPassword removes password=… from a libpq keyword/value
// string: keywords and values separated by spaces, a value either bare
// (backslash escapes the next character) or in single quotes (with \' and
// \\ inside).
func splitKeywordPassword(dsn string) (string, string, error) {
	var kept []string
	var password string
	s := dsn
	for {
		s = strings.TrimLeft(s, " \t\n\r\f\v")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return "", "", errors.New("invalid database URL: expected keyword=value")
		}
		key := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\f\v")
		var raw strings.Builder // the value as written, for keeping it
		var val strings.Builder // the value unescaped
		if strings.HasPrefix(s, "'") {
			raw.WriteByte('\'')
			i := 1
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					raw.WriteByte(s[i])
					i++
				}
				raw.WriteByte(s[i])
				val.WriteByte(s[i])
			}
			if i >= len(s) {
				return "", "", errors.New("invalid database URL: unterminated quoted value")
			}
			raw.WriteByte('\'')
			s = s[i+1:]
		} else {
			i := 0
			for ; i < len(s) && !strings.ContainsRune(" \t\n\r\f\v", rune(s[i])); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					raw.WriteByte(s[i])
					i++
				}
				raw.WriteByte(s[i])
				val.WriteByte(s[i])
			}
			s = s[i:]
		}
		if key == "password" {
			password = val.String()
			continue
		}
		kept = append(kept, key+"="+raw.String())
	}
	return strings.Join(kept, " "), password, nil
}

// psqlEnv is this process's environment with PGPASSWORD set to password;
// nil (inherit it unchanged) when the DSN held none, so a PGPASSWORD or
// ~/.pgpass the user relies on still works. A process's environment is
// readable only by its owner and root.
func psqlEnv(password string) []string {
	if password == "" {
		return nil
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PGPASSWORD=") {
			env = append(env, kv)
		}
	}
	return append(env, "PGPASSWORD="+password)
}
