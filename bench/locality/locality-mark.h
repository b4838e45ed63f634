/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the locality meter's markers.
 *
 * locality_mark(id) executes one magic no-op, "nopl 0x4b4e4dID(%rax,%rax,1)"
 * (bytes 0f 1f 84 00 ID 4d 4e 4b). The locality plugin recognises it when
 * QEMU translates it and writes a "mark" record holding the cumulative
 * access counts at that instant, so that a benchmark can bracket a phase
 * exactly, without correlating guest and host clocks. Outside the plugin
 * (or on real hardware) it is an ordinary multi-byte NOP.
 *
 * The id is a runtime value, so the instruction is written into a fresh
 * executable page for each call: cheap enough for phase boundaries, not
 * meant for hot loops.
 */
#ifndef LOCALITY_MARK_H
#define LOCALITY_MARK_H

#include <string.h>
#include <sys/mman.h>

#define LOCALITY_MARK_MAGIC	0x4b4e4d00u	/* "\0MNK": id in the low byte */

static inline int locality_mark(unsigned int id)
{
	static const unsigned char insn[] = {
		0x0f, 0x1f, 0x84, 0x00,			/* nopl disp32(%rax,%rax,1) */
		0x00, 0x4d, 0x4e, 0x4b,			/* disp32, id patched in */
		0xc3,					/* ret */
	};
	unsigned char *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -1;
	memcpy(page, insn, sizeof(insn));
	page[4] = id & 0xff;
	__builtin___clear_cache((char *)page, (char *)page + sizeof(insn));
	((void (*)(void))page)();
	munmap(page, 4096);
	return 0;
}

#endif /* LOCALITY_MARK_H */
