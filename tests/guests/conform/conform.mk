# The differential conformance kernel (tests/guests/conform/,
# docs/test-kernels.md): build/guests/conform.elf, a Multiboot2 ELF32 at
# 1 MiB from its own sources, the test kernels' console library (../lib.c)
# and Vireo's string helpers. Run bare and under Vireo by
# tests/harness/conform.sh (make conform). Included from tests/guests/guests.mk.

CONFORM_DIR := tests/guests/conform
CONFORM_OBJ := $(BUILD)/guests/obj/conform
CONFORM_COBJS := $(patsubst $(CONFORM_DIR)/%.c,$(CONFORM_OBJ)/%.o,$(wildcard $(CONFORM_DIR)/*.c))
CONFORM_OBJS := $(CONFORM_OBJ)/entry.asm.o $(CONFORM_OBJ)/lm.asm.o $(CONFORM_OBJ)/rm.asm.o $(CONFORM_COBJS) $(MBT_OBJ)/lib.o $(MBT_OBJ)/lib_string.o

$(CONFORM_OBJ)/%.o: $(CONFORM_DIR)/%.c $(CONFORM_DIR)/conform.mk
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC32    $<")
	$(Q)$(CC) $(MBT_CFLAGS) -c $< -o $@

$(CONFORM_OBJ)/%.asm.o: $(CONFORM_DIR)/%.asm $(CONFORM_DIR)/conform.mk $(MBT_DIR)/entry_common.inc
	@mkdir -p $(@D)
	@$(if $(V),,echo "  NASM32  $<")
	$(Q)$(NASM) -f elf32 -Werror -I$(MBT_DIR)/ $< -o $@

$(BUILD)/guests/conform.elf: $(CONFORM_OBJS) $(MBT_DIR)/mbtest.ld
	@$(if $(V),,echo "  LD32    $@")
	$(Q)$(LD) $(MBT_LDFLAGS) -o $@ $(CONFORM_OBJS)

guest-kernels: $(BUILD)/guests/conform.elf

-include $(CONFORM_COBJS:.o=.d)
