// SPDX-License-Identifier: MIT
/* Reading YAML nodes as config values: keys against a schema, numbers,
 * ports, durations, enumerations, addresses and names, each with a message
 * that says what was expected. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

/* ---- keys ---------------------------------------------------------------- */

/* Optimal string alignment distance (edits and adjacent swaps), case
 * blind; words longer than a key could be are not compared. */
static unsigned edit_distance(const char *a, const char *b)
{
	enum { W = 40 };
	unsigned d[W + 1][W + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > W || lb > W)
		return W;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *cfg_suggest(const char *word, const char *const names[], size_t n)
{
	/* Two edits catch the usual typos ("listner_port", "helthcheck")
	 * without suggesting 'port' for 'rr'. */
	unsigned best = 3, limit = strlen(word) <= 3 ? 1 : 2;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		unsigned dist;

		if (!names[i])
			continue;
		dist = edit_distance(word, names[i]);
		if (dist <= limit && dist < best) {
			best = dist;
			found = names[i];
		}
	}
	return found;
}

const char *cfg_join(const char *const names[], size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		if (!names[i])
			continue;
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);
	}
	return buf;
}

static int find_name(const char *word, const char *const names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(word, names[i]) == 0)
			return (int)i;
	return -1;
}

unsigned cfg_map_fields(struct cfg_diag *d, const struct ynode *map, const char *where,
			const char *const names[], size_t n,
			const struct ynode *keys[], const struct ynode *vals[])
{
	unsigned typos = 0;
	char allowed[512];

	for (size_t i = 0; i < n; i++)
		keys[i] = vals[i] = NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		const char *near;
		int idx;

		if (k->kind != YN_SCALAR) {
			cfg_error_at(d, k->pos, "a key %s must be a plain word, not %s",
				     where, ynode_kind_text(k));
			continue;
		}
		idx = find_name(k->str, names, n);
		if (idx >= 0 && keys[idx]) {
			cfg_error_at(d, k->pos, "duplicate key '%s' %s (first given at line %u); "
				     "keep one", k->str, where, keys[idx]->pos.line);
			continue;
		}
		if (idx >= 0) {
			keys[idx] = k;
			vals[idx] = v;
			continue;
		}
		near = cfg_suggest(k->str, names, n);
		if (near) {
			typos |= 1u << find_name(near, names, n);
			cfg_error_at(d, k->pos, "unknown key '%s' %s; did you mean '%s'?",
				     k->str, where, near);
		} else {
			cfg_error_at(d, k->pos, "unknown key '%s' %s; allowed keys: %s",
				     k->str, where, cfg_join(names, n, allowed, sizeof(allowed)));
		}
	}
	return typos;
}

/* ---- values -------------------------------------------------------------- */

int cfg_want_kind(struct cfg_diag *d, const struct ynode *v, const char *key,
		  enum ynode_kind kind)
{
	static const char *const wanted[] = {
		[YN_SCALAR] = "a single value", [YN_MAP] = "a mapping", [YN_SEQ] = "a list"};

	if (v->kind == kind && !(kind == YN_SCALAR && ynode_is_null(v)))
		return 0;
	cfg_error_at(d, v->pos, "%s: expected %s, got %s", key, wanted[kind],
		     ynode_kind_text(v));
	return -EINVAL;
}

int cfg_want_string(struct cfg_diag *d, const struct ynode *v, const char *key,
		    const char **out)
{
	if (cfg_want_kind(d, v, key, YN_SCALAR))
		return -EINVAL;
	if (strlen(v->str) != v->len) {
		cfg_error_at(d, v->pos, "%s: the value contains a NUL character", key);
		return -EINVAL;
	}
	*out = v->str;
	return 0;
}

/* Decimal digits only: no sign, no hex, no spaces. */
static int parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int cfg_want_uint(struct cfg_diag *d, const struct ynode *v, const char *key,
		  uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s;
	uint64_t val;
	int err;

	if (cfg_want_string(d, v, key, &s))
		return -EINVAL;
	err = parse_digits(s, &val);
	if (err == -EINVAL) {
		cfg_error_at(d, v->pos, "%s: '%s' is not a whole number; expected %u-%u",
			     key, s, min, max);
		return -EINVAL;
	}
	if (err || val < min || val > max) {
		cfg_error_at(d, v->pos, "%s: %s is out of range; expected %u-%u", key, s, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)val;
	return 0;
}

int cfg_want_port(struct cfg_diag *d, const struct ynode *v, const char *key, uint16_t *out)
{
	uint32_t port;

	if (cfg_want_uint(d, v, key, 1, 65535, &port))
		return -EINVAL;
	*out = (uint16_t)port;
	return 0;
}

static const struct {
	const char *suffix;
	uint32_t ms;
} duration_units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};

/* "1500ms", "2s", "1m30s": one or more number+unit parts. */
static int parse_duration(const char *s, uint64_t *out_ms)
{
	uint64_t total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		uint64_t n = 0;
		size_t digits = 0, u;

		for (; isdigit((unsigned char)*s); s++, digits++) {
			n = n * 10 + (uint64_t)(*s - '0');
			if (n > UINT32_MAX)
				return -ERANGE;
		}
		if (!digits)
			return -EINVAL;
		for (u = 0; u < sizeof(duration_units) / sizeof(duration_units[0]); u++) {
			size_t l = strlen(duration_units[u].suffix);

			/* "ms" before "m": the table order matters. */
			if (strncmp(s, duration_units[u].suffix, l) == 0 &&
			    !isalpha((unsigned char)s[l])) {
				s += l;
				break;
			}
		}
		if (u == sizeof(duration_units) / sizeof(duration_units[0]))
			return digits && !*s ? -ENODATA : -EINVAL;
		total += n * duration_units[u].ms;
		if (total > UINT32_MAX)
			return -ERANGE;
	}
	*out_ms = total;
	return 0;
}

const char *cfg_format_duration(uint32_t ms, char *buf, size_t len)
{
	for (size_t u = sizeof(duration_units) / sizeof(duration_units[0]); u-- > 0;) {
		if (ms % duration_units[u].ms == 0 && (ms || u == 1)) {
			snprintf(buf, len, "%u%s", ms / duration_units[u].ms,
				 duration_units[u].suffix);
			return buf;
		}
	}
	snprintf(buf, len, "%ums", ms);
	return buf;
}

int cfg_want_duration(struct cfg_diag *d, const struct ynode *v, const char *key,
		      uint32_t min_ms, uint32_t max_ms, uint32_t *out)
{
	char lo[16], hi[16];
	const char *s;
	uint64_t ms;
	int err;

	if (cfg_want_string(d, v, key, &s))
		return -EINVAL;
	err = parse_duration(s, &ms);
	if (err == -ENODATA) {
		cfg_error_at(d, v->pos, "%s: '%s' has no unit; add one, e.g. '%ss' "
			     "(units: ms, s, m, h)", key, s, s);
		return -EINVAL;
	}
	if (err == -EINVAL) {
		cfg_error_at(d, v->pos, "%s: '%s' is not a duration; write a number and a unit, "
			     "e.g. 500ms, 2s, 1m, 1h", key, s);
		return -EINVAL;
	}
	cfg_format_duration(min_ms, lo, sizeof(lo));
	cfg_format_duration(max_ms, hi, sizeof(hi));
	if (!err && ms == 0) {
		cfg_error_at(d, v->pos, "%s: must be greater than 0; expected %s-%s", key, lo, hi);
		return -EINVAL;
	}
	if (err || ms < min_ms || ms > max_ms) {
		cfg_error_at(d, v->pos, "%s: %s is out of range; expected %s-%s", key, s, lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)ms;
	return 0;
}

int cfg_want_enum(struct cfg_diag *d, const struct ynode *v, const char *key,
		  const char *const names[], size_t n, unsigned *out)
{
	char allowed[256];
	const char *s, *near;
	int idx;

	if (cfg_want_string(d, v, key, &s))
		return -EINVAL;
	idx = find_name(s, names, n);
	if (idx >= 0) {
		*out = (unsigned)idx;
		return 0;
	}
	cfg_join(names, n, allowed, sizeof(allowed));
	near = cfg_suggest(s, names, n);
	if (near)
		cfg_error_at(d, v->pos, "%s: unknown value '%s'; did you mean '%s'? "
			     "expected one of: %s", key, s, near, allowed);
	else
		cfg_error_at(d, v->pos, "%s: unknown value '%s'; expected one of: %s",
			     key, s, allowed);
	return -EINVAL;
}

int cfg_want_ip(struct cfg_diag *d, const struct ynode *v, const char *key,
		struct xlb_addr *out)
{
	const char *s;

	if (cfg_want_string(d, v, key, &s))
		return -EINVAL;
	if (addr_parse(s, out)) {
		cfg_error_at(d, v->pos, "%s: '%s' is not an IPv4 or IPv6 address", key, s);
		return -EINVAL;
	}
	if (addr_is_unusable(out)) {
		cfg_error_at(d, v->pos, "%s: %s is an unspecified, broadcast or multicast "
			     "address; expected a unicast address", key, s);
		return -EINVAL;
	}
	return 0;
}

int cfg_want_name(struct cfg_diag *d, const struct ynode *v, const char *key,
		  char out[XLB_NAME_MAX])
{
	const char *s;
	size_t len;

	if (cfg_want_string(d, v, key, &s))
		return -EINVAL;
	len = strlen(s);
	if (len >= XLB_NAME_MAX) {
		cfg_error_at(d, v->pos, "%s: '%.20s...' is %zu bytes long; at most %d allowed",
			     key, s, len, XLB_NAME_MAX - 1);
		return -EINVAL;
	}
	for (const char *p = s; *p; p++) {
		if (!isascii((unsigned char)*p) ||
		    !(isalnum((unsigned char)*p) || strchr("._-:@+", *p))) {
			cfg_error_at(d, v->pos, "%s: '%s' may only hold letters, digits and "
				     "'.', '_', '-', ':', '@', '+'", key, s);
			return -EINVAL;
		}
	}
	memcpy(out, s, len + 1);
	return 0;
}
