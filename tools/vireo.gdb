# gdb script for `make debug`: loads Vireo's symbols and attaches to QEMU.
set architecture i386:x86-64
file build/vireo.elf
target remote localhost:1234
break kmain
continue
