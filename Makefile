# Vireo build: kernel ELF, GRUB ISO, host unit tests, fuzz targets, emulator matrix.
# `make` builds build/vireo.iso; `make test` runs everything; see README.md.

BUILD ?= build
CC := gcc
NASM := nasm
HOSTCC := gcc
FUZZCC := clang
LD := ld
SHELL := /bin/bash

KERNEL_DIRS := boot arch/x86 mm smp guest vmx dev loader vm sched kernel lib guests tests/ktest
KCFLAGS := -std=gnu11 -O2 -g -fno-toplevel-reorder -ffreestanding -nostdlib -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-mno-red-zone -fno-pic -fno-pie -mcmodel=small -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror -Wno-unused-parameter -I. -MMD -MP
KNASMFLAGS := -f elf64 -g -F dwarf -I. -Werror
KLDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --build-id=none -T linker.ld

LIBGCC := $(shell $(CC) -print-libgcc-file-name)
KSRCS_C := $(filter-out $(KEXCLUDE),$(sort $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))))
KSRCS_ASM := $(sort $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.asm)))
KOBJS := $(patsubst %.c,$(BUILD)/k/%.o,$(KSRCS_C)) $(patsubst %.asm,$(BUILD)/k/%.asm.o,$(KSRCS_ASM))

ELF := $(BUILD)/vireo.elf
COMMA := ,
ISO := $(BUILD)/vireo.iso

.PHONY: all docs-cpuid kernel iso deps test unit fuzz fuzz-guest conform check matrix clean layers run run-qemu run-bochs run-kvm run-linux bench-exit bench-sched bench-guest screen screenshot \
	debug usb test-kvm bench-smp format
all: $(ISO)
kernel: $(ELF)
iso: $(ISO)

deps:
	@bash tools/deps.sh

Q := $(if $(V),,@)

$(BUILD)/k/%.o: %.c Makefile
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# Dependencies come from a separate -M pass: this NASM's -MD leaves
# %include files out of the .d file, so a changed vmx/regs.inc would not
# rebuild vmx/entry.asm.
$(BUILD)/k/%.asm.o: %.asm Makefile
	@mkdir -p $(@D)
	@$(if $(V),,echo "  NASM    $<")
	$(Q)$(NASM) $(KNASMFLAGS) -M -MT $@ -MF $@.d -MP $<
	$(Q)$(NASM) $(KNASMFLAGS) $< -o $@

# The AP trampoline is a flat binary (org 0x8000) embedded by trampoline_blob.asm.
$(BUILD)/k/smp/trampoline.bin: smp/trampoline.nasm smp/trampoline.inc
	@mkdir -p $(@D)
	$(NASM) -f bin -I. $< -o $@
$(BUILD)/k/smp/trampoline_blob.asm.o: $(BUILD)/k/smp/trampoline.bin

# The framebuffer console's font, generated from a Debian console font
# (tools/mkfont.sh; FONT and the generating rule are in tests/unit/fbcon.mk).
$(BUILD)/k/fbcon_font.o: $(BUILD)/k/fbcon_font.c
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
KOBJS += $(BUILD)/k/fbcon_font.o

# Built-in guests: flat binaries embedded by guests/images.asm.
GUEST_SRCS := $(wildcard guests/*.nasm)
GUEST_BINS := $(patsubst guests/%.nasm,$(BUILD)/guests/%.bin,$(GUEST_SRCS))
$(BUILD)/guests/%.bin: guests/%.nasm $(wildcard guests/*.inc)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  GUEST   $<")
	$(Q)$(NASM) -f bin -I. $< -o $@
$(BUILD)/k/guests/images.asm.o: $(GUEST_BINS)

# The symbol table for stack traces is linked last (section .ksyms after
# .bss), so text addresses are identical in both passes.
$(BUILD)/k/ksyms0.o: tools/ksyms.sh
	@mkdir -p $(@D)
	bash tools/ksyms.sh /dev/null > $(BUILD)/k/ksyms0.asm
	$(NASM) -f elf64 $(BUILD)/k/ksyms0.asm -o $@

$(ELF): $(KOBJS) $(BUILD)/k/ksyms0.o linker.ld tools/ksyms.sh
	@$(if $(V),,echo "  LD      $@ (2 passes, symbol table)")
	$(Q)$(LD) $(KLDFLAGS) -o $@.pass1 $(KOBJS) $(BUILD)/k/ksyms0.o $(LIBGCC)
	$(Q)bash tools/ksyms.sh $@.pass1 > $(BUILD)/k/ksyms.asm
	$(Q)$(NASM) -f elf64 $(BUILD)/k/ksyms.asm -o $(BUILD)/k/ksyms.o
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/k/ksyms.o $(LIBGCC)
	$(Q)bash tools/ksyms.sh --verify $@.pass1 $@
	@rm -f $@.pass1

# Guest kernels carried as GRUB modules, each started as a VM named after
# its file: make iso GUESTS="a.elf b.elf" [GUEST_VCPUS=2] [GUEST_MEM=64M]
GUESTS ?=
GUEST_VCPUS ?= 1
GUEST_MEM ?= 64M
guest_vm_name = $(shell printf '%s' '$(basename $(notdir $(1)))' | tr -c 'A-Za-z0-9_-' _ | cut -c1-15)
GUEST_VM_ARGS := $(foreach g,$(GUESTS),vireo.vm=$(call guest_vm_name,$(g)):image=$(notdir $(g)),vcpus=$(GUEST_VCPUS),mem=$(GUEST_MEM))

# A Linux guest (docs/linux-guests.md): make iso LINUX=bzImage [INITRD=initrd.gz]
# [VCPUS=n] [LINUX_MEM=128M] [LINUX_CMDLINE="..."] adds one Linux VM, lx, with
# console input; make check LINUX=... runs it (below).
LINUX ?=
INITRD ?=
LINUX_MEM ?= 128M
# console=ttyS0: the kernel's console is the VM's COM1; quiet: boot messages
# cost an exit per character; cryptomgr.notests: the crypto self-tests are
# most of an emulated boot's kernel time.
LINUX_CMDLINE ?= console=ttyS0 quiet cryptomgr.notests
LINUX_TIMEOUT ?= 1500
# Bochs at 40 million instructions per emulated second for Linux guests, as
# make test and make run-linux: a tenth of the timer exits of Bochs' default
# (docs/linux-guests.md, "Emulated speed").
LINUX_BOCHS_EXTRA ?= ips=40000000
LINUX_DIR ?= $(BUILD)/linux
LINUX_FILES := $(LINUX) $(INITRD)
LINUX_VM = lx:kernel=$(notdir $(LINUX))$(if $(INITRD),$(COMMA)initrd=$(notdir $(INITRD)))$(COMMA)vcpus=$(VCPUS)$(COMMA)mem=$(LINUX_MEM)
LINUX_VM_ARGS = $(if $(LINUX),vireo.vm="$(LINUX_VM)$(COMMA)input=1$(COMMA)cmdline=$(LINUX_CMDLINE)")
ISO_CMDLINE ?= $(GUEST_VM_ARGS) $(LINUX_VM_ARGS)
ISO_FORCE := $(if $(GUESTS)$(LINUX),FORCE)
$(ISO): $(ELF) iso/grub.cfg.in tools/mkiso.sh $(GUESTS) $(LINUX_FILES) $(ISO_FORCE)
	@echo "  ISO     $@ $(if $(GUESTS)$(LINUX),(guests: $(GUESTS) $(LINUX_FILES)))"
	$(Q)bash tools/mkiso.sh $(ELF) $@ '$(strip $(ISO_CMDLINE))' 2 $(GUESTS) $(LINUX_FILES)
.PHONY: FORCE
FORCE:

# ---- host unit tests (cmocka, ASan + UBSan) --------------------------------
UNIT_TESTS :=
FUZZ_TARGETS :=
-include tests/unit/*.mk
-include tests/fuzz/*.mk
-include tests/guests/guests.mk

HOSTCFLAGS := -std=gnu11 -g -O1 -DVIREO_HOST_TEST -I. -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/test_$(1): $$($(1)_SRCS) $$(wildcard */*.h */*/*.h)
	@mkdir -p $$(@D)
	$(HOSTCC) $(HOSTCFLAGS) $$($(1)_CFLAGS) $$($(1)_SRCS) -o $$@ -lcmocka
unit-$(1): $(BUILD)/unit/test_$(1)
	$(BUILD)/unit/test_$(1)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# The layering check alone (tools/layers.sh; docs/architecture.md).
layers:
	@bash tools/layers.sh && echo "layers: every include points down the layer order"

unit: $(UNIT_BINS)
	@bash tests/harness/unit.sh $(UNIT_BINS)

# ---- libFuzzer targets, run for a bounded time -----------------------------
FUZZ_SECONDS ?= 10
FUZZCFLAGS := -std=gnu11 -g -O1 -DVIREO_HOST_TEST -DVIREO_FUZZ -I. -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): $$(fuzz_$(1)_SRCS) $$(wildcard */*.h */*/*.h)
	@mkdir -p $$(@D)
	$(FUZZCC) $(FUZZCFLAGS) $$(fuzz_$(1)_SRCS) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz: $(FUZZ_BINS)
	@bash tests/harness/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---- emulator runs -----------------------------------------------------------
EMU ?= qemu
CPUS ?= 1
SUITE ?= boot
EXPECT ?= pass
RESULTS := $(BUILD)/results.txt

# make check LINUX=bzImage [INITRD=initrd.gz] EMU=bochs CPUS=2 [VCPUS=2]
# [LINUX_CMDLINE="..."] boots one Linux VM and passes when its guest powers
# off (ACPI S5: status 0) by itself.
# make check GUEST=k.elf EMU=bochs CPUS=2 [VCPUS=2] [GUEST_CMDLINE="..."]
# runs one guest kernel as a VM and passes when it exits with GUEST_STATUS
# (1: it wrote 0 to port 0xF4, QEMU isa-debug-exit style).
VCPUS ?= 1
GUEST_STATUS ?= 1
GUEST_CMDLINE ?=
check: deps $(ELF)
ifneq ($(LINUX),)
	@TIMEOUT=$(LINUX_TIMEOUT) BOCHS_CPU_EXTRA=$(LINUX_BOCHS_EXTRA) bash tests/harness/guest.sh "linux-$(VCPUS)vcpu" $(EMU) $(CPUS) \
		"$(LINUX_VM)$(COMMA)cmdline=$(LINUX_CMDLINE)" "$(LINUX)$(if $(INITRD),$(COMMA)$(INITRD))" "lx=0"
else ifneq ($(GUEST),)
	@bash tests/harness/guest.sh "$(notdir $(GUEST))-$(VCPUS)vcpu" $(EMU) $(CPUS) \
		"guest:image=$(notdir $(GUEST)),vcpus=$(VCPUS),mem=$(GUEST_MEM)$(if $(GUEST_CMDLINE),$(COMMA)cmdline=$(GUEST_CMDLINE))" \
		"$(GUEST)" "guest=$(GUEST_STATUS)"
else
	@bash tests/harness/check.sh $(EMU) $(CPUS) $(SUITE) "$(EXPECT)"
endif

# make fuzz-guest [SECONDS=n] [SEED=s] [OPS=a,b,...] [SAFE=1]: the fuzzing guest
# kernel beside a good VM under Bochs with 2 CPUs (tests/harness/fuzz-guest.sh,
# docs/fuzz-guest.md).
SAFE ?= 0
fuzz-guest: deps $(ELF) $(BUILD)/guests/fuzz.elf $(BUILD)/guests/mbtest2.elf
	@FUZZ_SAFE=$(SAFE) bash tests/harness/fuzz-guest.sh "$(SECONDS)" "$(SEED)" "$(OPS)"

matrix: $(ELF)
	@bash tests/harness/matrix.sh tests/matrix.txt

# The test kernels booted directly by QEMU (ELF:CPUS[:refused]): proof that
# they are ordinary Multiboot kernels, not Vireo-specific.
QEMU_KERNEL_CASES := $(BUILD)/guests/mbtest1.elf:1 $(BUILD)/guests/mbtest1.elf:2 \
	$(BUILD)/guests/mbtest1.elf:4 $(BUILD)/guests/mbtest1-aout.bin:2 $(BUILD)/guests/mbtest2.elf:2 \
	$(BUILD)/guests/mbtest2-64.elf:2 \
	$(BUILD)/guests/badhdr.elf:1:refused
# and with mbtest.early_fault (ELF:CPUS, the log must match QEMU_EARLY_FAULT_RE):
# #UD and #BP before the kernel loads its own GDT, through the loader's one.
QEMU_EARLY_FAULT_CASES := $(BUILD)/guests/mbtest1.elf:1 $(BUILD)/guests/mbtest2.elf:1
QEMU_EARLY_FAULT_RE := mbtest: early_fault: \#UD and \#BP through gates with CS [0-9a-f]+: both handlers ran and returned

# The fuzzing guest in make test: 25 guest seconds, seed 1, every class, every
# operation (fuzz.safe=0); an anomaly fails it.
TEST_FUZZ_GUEST := 25 1 all
# and with every CPU in x2APIC mode, the APIC classes only (finding 5).
TEST_FUZZ_X2APIC := 10 1 lapic,ipi,x2apic,irq

# make conform [CONFORM_MODEL=tigerlake] [CONFORM_CPUS="1 2"]: the
# differential conformance suite: conform.elf bare on Bochs and as a Vireo
# guest on the same CPU model, compared fact by fact (tests/harness/conform.sh,
# tests/conformance/differences.txt, docs/test-kernels.md).
CONFORM_MODEL ?= corei7_skylake_x
CONFORM_CPUS ?= 1 2
conform: deps $(ELF) $(BUILD)/guests/conform.elf
	@bash tests/harness/conform.sh $(CONFORM_MODEL) $(CONFORM_CPUS)

# The Linux guest cases (tests/guests/linux-cases.txt): Debian's kernel fetched
# and the initramfs built first (a fetch failure is a FAIL), the cases two at
# a time under Bochs, with this LINUX_CMDLINE.
LINUX_TEST = RESULTS=$(RESULTS) LINUX_CMDLINE='$(LINUX_CMDLINE)' JOBS=2 \
	bash tests/harness/linux-cases.sh tests/guests/linux-cases.txt
# Debian's kernel to /init under Vireo and on bare Bochs, 1 CPU: the ratio and
# the exits by reason (tools/bench-linux.sh).
.PHONY: bench-linux
bench-linux: deps $(ELF)
	@bash tools/bench-linux.sh

# The whole suite: host unit tests, fuzz smoke runs, the boot matrix, guest
# kernels under Vireo (Bochs) and under QEMU directly.
test: deps
	@rm -f $(RESULTS); mkdir -p $(BUILD)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory $(ELF) $(UNIT_BINS) $(FUZZ_BINS) $(GUEST_KERNELS) \
		$(BUILD)/guests/fuzz.elf $(BUILD)/guests/conform.elf >$(BUILD)/build.log 2>&1 || \
		{ tail -30 $(BUILD)/build.log; echo "build failed (log: $(BUILD)/build.log)"; \
		  echo "0 passed, 1 failed"; exit 1; }; \
	RESULTS=$(RESULTS) bash tests/harness/layers.sh; \
	RESULTS=$(RESULTS) bash tests/harness/unit.sh $(UNIT_BINS); \
	RESULTS=$(RESULTS) bash tests/harness/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS); \
	RESULTS=$(RESULTS) bash tests/harness/repro-iso.sh $(ELF); \
	RESULTS=$(RESULTS) bash tests/harness/matrix.sh tests/matrix.txt; \
	RESULTS=$(RESULTS) bash tests/harness/guest-cases.sh tests/guests/cases.txt; \
	RESULTS=$(RESULTS) bash tests/harness/conform.sh $(CONFORM_MODEL) $(CONFORM_CPUS); \
	RESULTS=$(RESULTS) bash tests/harness/conform.sh tigerlake 1; \
	RESULTS=$(RESULTS) FUZZ_SAFE=0 bash tests/harness/fuzz-guest.sh $(TEST_FUZZ_GUEST); \
	RESULTS=$(RESULTS) FUZZ_EXTRA=fuzz.x2apic=1 bash tests/harness/fuzz-guest.sh $(TEST_FUZZ_X2APIC); \
	for c in $(QEMU_KERNEL_CASES); do \
		RESULTS=$(RESULTS) bash tests/harness/qemu-kernel.sh $${c//:/ }; done; \
	for c in $(QEMU_EARLY_FAULT_CASES); do \
		RESULTS=$(RESULTS) bash tests/harness/qemu-kernel.sh $${c//:/ } \
			'$(QEMU_EARLY_FAULT_RE)' mbtest.early_fault; done; \
	$(MAKE) --no-print-directory $(BUILD)/screencheck >>$(BUILD)/build.log 2>&1; \
	RESULTS=$(RESULTS) bash tests/harness/screen-cases.sh; \
	$(LINUX_TEST); \
	echo "make test took $$(( $$(date +%s) - start ))s"; \
	bash tests/harness/summary.sh $(RESULTS)

test-kvm: deps $(ELF)
	@rm -f $(BUILD)/results-kvm.txt
	@RESULTS=$(BUILD)/results-kvm.txt bash tests/harness/check.sh kvm 2 all || [ $$? -eq 77 ]
	@$(MAKE) --no-print-directory $(BUILD)/guests/mbtest1.elf $(BUILD)/guests/mbtest2.elf >/dev/null
	@RESULTS=$(BUILD)/results-kvm.txt bash tests/harness/guest.sh mb1-4vcpu kvm 2 \
		"t:image=mbtest1.elf,vcpus=4,mem=32M" $(BUILD)/guests/mbtest1.elf "t=1;t:ktap" || [ $$? -eq 77 ]
	@RESULTS=$(BUILD)/results-kvm.txt bash tests/harness/guest.sh mb2-2vcpu kvm 2 \
		"t:image=mbtest2.elf,vcpus=2,mem=32M" $(BUILD)/guests/mbtest2.elf "t=1;t:ktap" || [ $$? -eq 77 ]
	@ALLOW_ALL_SKIPPED=1 bash tests/harness/summary.sh $(BUILD)/results-kvm.txt

# ---- interactive runs ----------------------------------------------------------
# With GUESTS=..., `make run` boots those kernels as VMs, console input to the first.
RUN_CMDLINE ?= vireo.on_done=poweroff $(subst $(COMMA)mem=,$(COMMA)input=1$(COMMA)mem=,$(firstword $(GUEST_VM_ARGS))) $(wordlist 2,99,$(GUEST_VM_ARGS))
RUN_CPUS ?= 2
$(BUILD)/vireo-run.iso: $(ELF) iso/grub.cfg.in tools/mkiso.sh $(GUESTS) $(ISO_FORCE)
	bash tools/mkiso.sh $(ELF) $@ "$(RUN_CMDLINE)" 1 $(GUESTS)

run: deps $(BUILD)/vireo-run.iso
	@bash tools/run.sh auto $(RUN_CPUS) $(BUILD)/vireo-run.iso
run-qemu: deps $(BUILD)/vireo-run.iso
	@bash tools/run.sh qemu $(RUN_CPUS) $(BUILD)/vireo-run.iso
run-bochs: deps $(BUILD)/vireo-run.iso
	@bash tools/run.sh bochs $(RUN_CPUS) $(BUILD)/vireo-run.iso
run-kvm: deps $(BUILD)/vireo-run.iso
	@bash tools/run.sh kvm $(RUN_CPUS) $(BUILD)/vireo-run.iso
debug: deps $(BUILD)/vireo-run.iso
	@bash tools/run.sh debug $(RUN_CPUS) $(BUILD)/vireo-run.iso

# make run-linux [VMS=n] [VCPUS=m] [RUN_CPUS=k] [LINUX=... INITRD=...]: VMS
# Linux VMs lx1..lxN (LINUX_MEM each, LINUX_CMDLINE) with a shell on the
# terminal; Debian's kernel and a busybox initramfs unless LINUX/INITRD are
# given (tools/run-linux.sh, docs/linux-guests.md "Interactive use").
VMS ?= 1
run-linux: deps $(ELF)
	@VMS='$(VMS)' VCPUS='$(VCPUS)' LINUX='$(LINUX)' INITRD='$(INITRD)' LINUX_MEM='$(LINUX_MEM)' \
		LINUX_CMDLINE='$(LINUX_CMDLINE)' bash tools/run-linux.sh $(ELF) $(BUILD)/vireo-linux.iso $(RUN_CPUS)

# The screen tests on their own, and the UEFI screen as docs/screenshot-uefi.png.
screen: deps $(ELF) $(BUILD)/screencheck
	@bash tests/harness/screen-cases.sh
screenshot: deps $(ELF) $(BUILD)/screencheck
	@bash tests/harness/screen-cases.sh docs/screenshot-uefi.png

bench-exit: deps $(ELF)
	@bash tools/bench-exit.sh

bench-sched: deps $(ELF)
	@bash tools/bench-sched.sh

bench-guest: deps $(ELF) $(BUILD)/guests/mbtest1.elf
	@bash tools/bench-guest.sh

bench-smp: deps $(ELF)
	@bash tools/bench-smp.sh $(ELF)

usb: $(ISO)
	@bash tools/usb.sh $(ISO) "$(DEV)"

# docs/cpuid.md's tables, rendered from guest/cpuid_policy.c (the
# cpuid_policy unit test fails while they disagree).
$(BUILD)/cpuid_table: tools/cpuid_table.c guest/cpuid_policy.c guest/cpuid_policy.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) tools/cpuid_table.c guest/cpuid_policy.c -o $@
docs-cpuid: $(BUILD)/cpuid_table
	@$(BUILD)/cpuid_table >$(BUILD)/cpuid_table.md
	@awk -v t=$(BUILD)/cpuid_table.md '/<!-- cpuid-policy:end -->/ { skip = 0 } \
		!skip { print } /<!-- cpuid-policy:begin -->/ { while ((getline l < t) > 0) print l; skip = 1 }' \
		docs/cpuid.md >$(BUILD)/cpuid.md.new && mv $(BUILD)/cpuid.md.new docs/cpuid.md
	@echo "docs/cpuid.md: tables rendered from guest/cpuid_policy.c"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k -name '*.d' 2>/dev/null)
