/* SPDX-License-Identifier: MIT */
/*
 * Vireo's single error enum. Every function that can fail returns one of
 * these; err_name() gives its symbolic name and err_text() a sentence.
 */
#ifndef VIREO_LIB_ERROR_H
#define VIREO_LIB_ERROR_H

#define ERR_LIST(X)                                                          \
	X(E_OK, "success")                                                   \
	X(E_INVAL, "invalid argument or value")                              \
	X(E_NOMEM, "out of memory")                                          \
	X(E_NOENT, "not found")                                              \
	X(E_RANGE, "value out of range")                                     \
	X(E_TRUNC, "data truncated: a length runs past the end")             \
	X(E_MALFORMED, "malformed structure")                                \
	X(E_CHECKSUM, "checksum mismatch")                                   \
	X(E_BADSIG, "bad signature or magic number")                         \
	X(E_EXIST, "already exists or already done")                         \
	X(E_BUSY, "resource busy")                                           \
	X(E_WRONG_CPU, "called on a CPU that does not own the state")        \
	X(E_NOTSUP, "not supported by this CPU or platform")                 \
	X(E_DISABLED, "disabled by the firmware")                            \
	X(E_STATE, "operation not valid in the current state")               \
	X(E_TIMEOUT, "timed out")                                            \
	X(E_ALIGN, "misaligned address")                                     \
	X(E_DOUBLE_FREE, "freed twice or never allocated")                   \
	X(E_VMFAIL_INVALID, "VMX instruction failed: VMfailInvalid (CF=1)")  \
	X(E_VMFAIL_VALID, "VMX instruction failed: VMfailValid (ZF=1)")      \
	X(E_VMENTRY, "VM entry failed")                                      \
	X(E_GUEST, "guest misbehaved and was stopped")                      \
	X(E_OVERLAP, "range overlaps one already claimed")

enum err {
#define ERR_ENUM(name, text) name,
	ERR_LIST(ERR_ENUM)
#undef ERR_ENUM
	E_COUNT
};

const char *err_name(enum err e);
const char *err_text(enum err e);

#endif
