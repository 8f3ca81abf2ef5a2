# Ordinary Multiboot test kernels (tests/guests/, see docs/test-kernels.md):
# mbtest1.elf (Multiboot 1) and mbtest2.elf (Multiboot2) from the same
# sources, and badhdr.elf whose header checksum is wrong. 32-bit, at 1 MiB.

GUEST_KERNELS := $(BUILD)/guests/mbtest1.elf $(BUILD)/guests/mbtest2.elf $(BUILD)/guests/badhdr.elf \
	$(BUILD)/guests/mbtest1-aout.bin $(BUILD)/guests/mbtest2-64.elf

MBT_DIR := tests/guests
MBT_OBJ := $(BUILD)/guests/obj
MBT_CFLAGS := -m32 -std=gnu11 -O2 -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-mno-sse -mno-mmx -mno-80387 -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -Wall -Wextra -Werror -MMD -MP
MBT_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack --build-id=none --no-warn-rwx-segments \
	-T $(MBT_DIR)/mbtest.ld
MBT_COBJS := $(patsubst $(MBT_DIR)/%.c,$(MBT_OBJ)/%.o,$(wildcard $(MBT_DIR)/*.c))
MBT_COMMON := $(MBT_COBJS) $(MBT_OBJ)/entry.asm.o $(MBT_OBJ)/lib_string.o

# The freestanding string helpers are Vireo's own (pure C), built for 32 bits.
$(MBT_OBJ)/lib_string.o: lib/string.c lib/string.h $(MBT_DIR)/guests.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC32    $<")
	$(Q)$(CC) $(MBT_CFLAGS) -I. -c $< -o $@

.PHONY: guest-kernels
guest-kernels: $(GUEST_KERNELS)

$(MBT_OBJ)/%.o: $(MBT_DIR)/%.c $(MBT_DIR)/guests.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC32    $<")
	$(Q)$(CC) $(MBT_CFLAGS) -c $< -o $@

$(MBT_OBJ)/%.asm.o: $(MBT_DIR)/%.asm $(MBT_DIR)/guests.mk $(MBT_DIR)/entry_common.inc
	@mkdir -p $(@D)
	@$(if $(V),,echo "  NASM32  $<")
	$(Q)$(NASM) -f elf32 -Werror -I$(MBT_DIR)/ $< -o $@

$(BUILD)/guests/mbtest1.elf: $(MBT_OBJ)/mb1hdr.asm.o $(MBT_COMMON) $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(MBT_OBJ)/mb1hdr.asm.o $(MBT_COMMON)

$(BUILD)/guests/mbtest2.elf: $(MBT_OBJ)/mb2hdr.asm.o $(MBT_COMMON) $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(MBT_OBJ)/mb2hdr.asm.o $(MBT_COMMON)

$(BUILD)/guests/badhdr.elf: $(MBT_OBJ)/badhdr.asm.o $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(MBT_OBJ)/badhdr.asm.o

-include $(MBT_COBJS:.o=.d)

# The a.out-kludge variant: a flat binary whose Multiboot 1 header carries the
# load addresses (mb1aout.asm).
$(BUILD)/guests/mbtest1-aout.elf: $(MBT_OBJ)/mb1aout.asm.o $(MBT_COMMON) $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(MBT_OBJ)/mb1aout.asm.o $(MBT_COMMON)

$(BUILD)/guests/mbtest1-aout.bin: $(BUILD)/guests/mbtest1-aout.elf
	@$(if $(V),,echo "  BIN     $@")
	$(Q)objcopy -O binary $< $@

# The ELF64 flavour of the Multiboot2 kernel: the same 32-bit code in an
# ELF64 container (as 64-bit kernels with a 32-bit entry are shipped).
$(BUILD)/guests/mbtest2-64.elf: $(BUILD)/guests/mbtest2.elf
	@$(if $(V),,echo "  ELF64   $@")
	$(Q)objcopy -O elf64-x86-64 $< $@

# The fuzzing guest kernel (built by guest-kernels, run by make fuzz-guest).
include $(MBT_DIR)/fuzz/fuzz.mk

# The differential conformance kernel (built by guest-kernels, run by make conform).
include $(MBT_DIR)/conform/conform.mk
