# The fuzzing guest kernel (tests/guests/fuzz/, docs/fuzz-guest.md):
# build/guests/fuzz.elf, a Multiboot 1 ELF32 at 1 MiB built from its own
# sources, the test kernels' console library (../lib.c) and Vireo's string
# helpers. Included from tests/guests/guests.mk.

FUZZ_DIR := tests/guests/fuzz
FUZZ_OBJ := $(BUILD)/guests/obj/fuzz
FUZZ_COBJS := $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_OBJ)/%.o,$(wildcard $(FUZZ_DIR)/*.c))
FUZZ_OBJS := $(FUZZ_OBJ)/entry.asm.o $(FUZZ_COBJS) $(MBT_OBJ)/lib.o $(MBT_OBJ)/lib_string.o

$(FUZZ_OBJ)/%.o: $(FUZZ_DIR)/%.c $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC32    $<")
	$(Q)$(CC) $(MBT_CFLAGS) -c $< -o $@

$(FUZZ_OBJ)/%.asm.o: $(FUZZ_DIR)/%.asm $(FUZZ_DIR)/fuzz.mk $(MBT_DIR)/entry_common.inc
	@mkdir -p $(@D)
	@$(if $(V),,echo "  NASM32  $<")
	$(Q)$(NASM) -f elf32 -Werror -I$(MBT_DIR)/ $< -o $@

$(BUILD)/guests/fuzz.elf: $(FUZZ_OBJS) $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(FUZZ_OBJS)

guest-kernels: $(BUILD)/guests/fuzz.elf

-include $(FUZZ_COBJS:.o=.d)
