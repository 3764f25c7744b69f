/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "host/fwlist.h"

#include <stdio.h>
#include <string.h>

int ds_nft_forward_drops(char *listing, int iptables_nft, char *names, size_t size)
{
	char table[136] = "", chain[64] = "";
	int n = 0;
	size_t len = 0;
	if (size)
		names[0] = '\0';
	char *save = NULL;
	for (char *l = strtok_r(listing, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char a[64], b[64];
		l += strspn(l, " \t");
		/* Routed IPv4 (ip, inet): a bridge family's forward hook sees only guest to guest. */
		if (sscanf(l, "table %63s %63s {", a, b) == 2) {
			snprintf(table, sizeof(table), "%s %s", strcmp(a, "ip") && strcmp(a, "inet") ? "-" : a, b);
			chain[0] = '\0';
		} else if (sscanf(l, "chain %63s {", a) == 1) {
			snprintf(chain, sizeof(chain), "%s", a);
		} else if (table[0] && table[0] != '-' && chain[0] && strstr(l, "hook forward") &&
			   strstr(l, "policy drop;") &&
			   !(iptables_nft && strcmp(table, "ip filter") == 0 && strcmp(chain, "FORWARD") == 0) &&
			   len + strlen(table) + strlen(chain) + 5 < size) {
			len += (size_t)snprintf(names + len, size - len, "%s'%s %s'", n++ ? ", " : "", table, chain);
		}
	}
	return n;
}

/* The next word of [*p, end) in *w: its length (0 at the end); a "quoted word" (\" inside) is one. */
static size_t next_word(const char **p, const char *end, const char **w)
{
	const char *s = *p;
	int quoted = 0;
	while (s < end && *s == ' ')
		s++;
	*w = s;
	for (; s < end && (quoted || *s != ' '); s++) {
		if (*s == '\\' && quoted && s + 1 < end)
			s++;
		else if (*s == '"')
			quoted = !quoted;
	}
	*p = s;
	return (size_t)(s - *w);
}

static int word_is(const char *w, size_t n, const char *literal)
{
	return n == strlen(literal) && memcmp(w, literal, n) == 0;
}

/*
 * The words of a rule after "-A FORWARD": an unconditional DROP or REJECT
 * (a comment, REJECT's --reject-with are no condition), that closes the
 * chain to everything after it.
 */
static int closes(const char *p, const char *end)
{
	const char *w;
	size_t n;
	int target = 0; /* 1: DROP, 2: REJECT */
	while ((n = next_word(&p, end, &w))) {
		if (word_is(w, n, "-m")) {
			n = next_word(&p, end, &w);
			if (!word_is(w, n, "comment"))
				return 0;
		} else if (word_is(w, n, "--comment") || (target == 2 && word_is(w, n, "--reject-with"))) {
			if (!next_word(&p, end, &w))
				return 0;
		} else if (word_is(w, n, "-j") && !target) {
			n = next_word(&p, end, &w);
			target = word_is(w, n, "DROP") ? 1 : word_is(w, n, "REJECT") ? 2 : 0;
			if (!target)
				return 0;
		} else {
			return 0;
		}
	}
	return target != 0;
}

static int line_starts(const char *l, const char *end, const char *literal)
{
	size_t n = strlen(literal);
	return (size_t)(end - l) >= n && memcmp(l, literal, n) == 0;
}

int ds_iptables_forward_place(const char *listing)
{
	int n = 0, policy_drops = 0;
	for (const char *l = listing; *l;) {
		const char *end = l + strcspn(l, "\n"), *p = l + 11, *w;
		if (line_starts(l, end, "-P FORWARD ")) {
			size_t k = next_word(&p, end, &w);
			policy_drops = !word_is(w, k, "ACCEPT");
		} else if (line_starts(l, end, "-A FORWARD ") && (++n, closes(p, end))) {
			return n;
		}
		l = *end ? end + 1 : end;
	}
	return policy_drops ? -1 : 0;
}
