/* SPDX-License-Identifier: MIT */
/* Name and description tables for enum err (lib/error.h). */
#include "lib/error.h"

static const char *const err_names[] = {
#define ERR_NAME(name, text) #name,
	ERR_LIST(ERR_NAME)
#undef ERR_NAME
};

static const char *const err_texts[] = {
#define ERR_TEXT(name, text) text,
	ERR_LIST(ERR_TEXT)
#undef ERR_TEXT
};

const char *err_name(enum err e)
{
	if ((unsigned)e >= E_COUNT)
		return "E_UNKNOWN";
	return err_names[e];
}

const char *err_text(enum err e)
{
	if ((unsigned)e >= E_COUNT)
		return "unknown error";
	return err_texts[e];
}
