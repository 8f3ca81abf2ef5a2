/* SPDX-License-Identifier: MIT */
/* Built-in guest images linked into the kernel (guests/images.asm). */
#ifndef VIREO_LOADER_IMAGES_H
#define VIREO_LOADER_IMAGES_H

#include <stdint.h>

struct guest_image {
	const char *name;
	const uint8_t *data;
	uint64_t size;
};

const struct guest_image *guest_image_find(const char *name);

#endif
