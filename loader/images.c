/* SPDX-License-Identifier: MIT */
/* Lookup of the built-in guest images by name. */
#include "loader/images.h"
#include "lib/string.h"

extern const struct guest_image guest_images[];

const struct guest_image *guest_image_find(const char *name)
{
	for (const struct guest_image *g = guest_images; g->name; g++) {
		if (!strcmp(g->name, name))
			return g;
	}
	return 0;
}
