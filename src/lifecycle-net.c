// SPDX-License-Identifier: MIT
/* `mcstatic network ls|prune`: the bridges mcstatic's containers use. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "network.h"
#include "oci-verbs.h"

static void print_bridge(const struct mc_net_bridge *b, void *data)
{
	char gw[INET_ADDRSTRLEN + 4] = "-";
	bool *header = data;

	if (!b->exists && !b->containers)
		return;		/* pruned, or deleted by hand */

	if (!*header) {
		printf("%-15s   %-18s   %-10s   %-8s   %s\n", "BRIDGE", "GATEWAY",
		       "CONTAINERS", "MADE BY", "STATE");
		*header = true;
	}
	if (b->gateway && inet_ntop(AF_INET, &b->gateway, gw, INET_ADDRSTRLEN))
		snprintf(gw + strlen(gw), sizeof(gw) - strlen(gw), "/%u", b->prefix);
	printf("%-15s   %-18s   %-10zu   %-8s   %s\n", b->name, gw, b->containers,
	       b->made ? "mcstatic" : "user", b->exists ? "up" : "gone");
}

static void print_pruned(const struct mc_net_bridge *b, void *data)
{
	(void)data;
	printf("%s\n", b->name);
}

int mc_verb_network(struct mc_oci *oci, int argc, char **argv)
{
	bool header = false;

	if (argc != 2 || (strcmp(argv[1], "ls") && strcmp(argv[1], "prune")))
		return mc_error(0, "network: expected `network ls` or `network prune`");
	if (!strcmp(argv[1], "prune"))
		return mc_net_bridges(oci->root, true, print_pruned, NULL);
	return mc_net_bridges(oci->root, false, print_bridge, &header);
}
