/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC register model (SDM 3A chapter 11): one register file
 * reached through xAPIC MMIO or x2APIC MSRs, priority and vector state, the
 * timer against a caller-supplied TSC, and IPI destination matching.
 */
#include "dev/vlapic.h"
#include "lib/string.h"

#define BITS_PER_BANK 32
#define VECTOR_MASK 0xFFu
#define FIRST_LEGAL_VECTOR 16
#define PRIO_CLASS(v) ((uint32_t)(v) >> 4)
#define PRIO_CLASS_MASK 0xF0u
#define REG_SLOT 0x10u
#define REG_LAST APIC_SELF_IPI
#define BANK_STRIDE 0x10u
#define BANK_SPAN (VLAPIC_VECTOR_BANKS * BANK_STRIDE)
#define LOW32 0xFFFFFFFFull

/* IA32_APIC_BASE layout (SDM 3A Figure 11-5); MAXPHYADDR taken as 52 */
#define BASE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define BASE_FLAGS (APIC_BASE_BSP | APIC_BASE_X2APIC | APIC_BASE_ENABLE)
#define BASE_RESERVED (~(BASE_ADDR_MASK | BASE_FLAGS))

/* xAPIC ID lives in bits 31:24 (SDM 3A Figure 11-6) */
#define XAPIC_LDR_MASK 0xFF000000u
#define XAPIC_LDR_SHIFT 24
#define DFR_MODEL_MASK 0xF0000000u
#define DFR_RESERVED_ONES 0x0FFFFFFFu
#define DFR_MODEL_FLAT 0xFu
#define DFR_MODEL_SHIFT 28
#define DFR_RESET 0xFFFFFFFFu
#define SVR_RESET 0xFFu
#define XAPIC_CLUSTER_SHIFT 4
#define XAPIC_CLUSTER_BITS 0xFu

/* x2APIC logical ID (SDM 3A 11.12.10.2) */
#define X2APIC_CLUSTER_SHIFT 4
#define X2APIC_LDR_CLUSTER_SHIFT 16
#define X2APIC_LDR_BIT_MASK 0xFu
#define X2APIC_LDR_CLUSTER_MASK 0xFFFF0000u
#define X2APIC_LDR_MEMBERS 0x0000FFFFu

/* Writable bits per register (SDM 3A Figures 11-8, 11-10, 11-12, 11-23) */
#define TPR_BITS 0xFFu
#define SVR_BITS 0x3FFu
#define LVT_TIMER_BITS 0x700FFu
#define LVT_FULL_BITS 0x107FFu /* vector, delivery mode, mask */
#define LVT_LINT_BITS 0x1A7FFu /* + polarity, trigger mode */
#define LVT_ERROR_BITS 0x100FFu
#define ICR_LO_BITS 0x000CCFFFu /* delivery status (bit 12) reads idle */
#define ICR_HI_XAPIC_BITS 0xFF000000u
#define DCR_BITS 0xBu
#define SELF_IPI_BITS 0xFFu
#define LVT_TIMER_MODE_RESERVED 3u

/* Divide configuration: bits 3,1,0 form a 3-bit value; 0b111 = 1 (Fig. 11-10) */
#define DCR_HIGH_BIT 0x8u
#define DCR_LOW_BITS 0x3u
#define DCR_VALUE_DIV1 7u

/* ---- vector banks --------------------------------------------------------- */

static void vec_set(uint32_t *bank, uint8_t v)
{
	bank[v / BITS_PER_BANK] |= 1u << (v % BITS_PER_BANK);
}

static void vec_clear(uint32_t *bank, uint8_t v)
{
	bank[v / BITS_PER_BANK] &= ~(1u << (v % BITS_PER_BANK));
}

static int vec_highest(const uint32_t *bank)
{
	int i;

	for (i = VLAPIC_VECTOR_BANKS - 1; i >= 0; i--)
		if (bank[i])
			return i * BITS_PER_BANK + (BITS_PER_BANK - 1 - __builtin_clz(bank[i]));
	return -1;
}

/* ---- mode queries --------------------------------------------------------- */

uint64_t vlapic_base(const struct vlapic *l)
{
	return l->base;
}

bool vlapic_enabled(const struct vlapic *l)
{
	return l->base & APIC_BASE_ENABLE;
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return vlapic_enabled(l) && (l->base & APIC_BASE_X2APIC);
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return l->svr & APIC_SVR_ENABLE;
}

static uint32_t lvt_timer_mode(uint32_t lvt)
{
	return (lvt & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT;
}

static uint32_t timer_mode(const struct vlapic *l)
{
	return lvt_timer_mode(l->lvt[VLAPIC_LVT_TIMER]);
}

static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> X2APIC_CLUSTER_SHIFT) << X2APIC_LDR_CLUSTER_SHIFT) |
	       (1u << (id & X2APIC_LDR_BIT_MASK));
}

/* ---- reset ---------------------------------------------------------------- */

/* Power-up register values (SDM 3A 11.4.7.1); ID and APIC base untouched. */
static void reset_regs(struct vlapic *l)
{
	unsigned i;

	l->tpr = 0;
	l->ldr = vlapic_x2apic_mode(l) ? x2apic_ldr(l->id) : 0;
	l->dfr = DFR_RESET;
	l->svr = SVR_RESET;
	l->esr = 0;
	l->esr_pending = 0;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	for (i = 0; i < VLAPIC_LVT_COUNT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->icr_lo = 0;
	l->icr_hi = 0;
	l->timer_initial = 0;
	l->timer_dcr = 0;
	l->timer_divisor = 2;
	l->timer_next = 0;
	l->tsc_deadline = 0;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp)
{
	memset(l, 0, sizeof(*l));
	l->id = apic_id;
	l->base = LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	reset_regs(l);
}

/* SDM 3A 11.4.7.3 and 11.12.5.1: INIT keeps the ID, the base MSR and x2APIC mode. */
void vlapic_reset_init(struct vlapic *l)
{
	reset_regs(l);
}

/* ---- IA32_APIC_BASE (SDM 3A 11.12.5 state transitions) -------------------- */

enum apic_mode { MODE_DISABLED, MODE_INVALID, MODE_XAPIC, MODE_X2APIC };

static enum apic_mode base_mode(uint64_t base)
{
	bool en = base & APIC_BASE_ENABLE, extd = base & APIC_BASE_X2APIC;

	if (!en)
		return extd ? MODE_INVALID : MODE_DISABLED;
	return extd ? MODE_X2APIC : MODE_XAPIC;
}

bool vlapic_set_base(struct vlapic *l, uint64_t val)
{
	enum apic_mode old = base_mode(l->base), new = base_mode(val);

	if ((val & BASE_RESERVED) || (val & BASE_ADDR_MASK) != LAPIC_DEFAULT_BASE)
		return false;
	if (new == MODE_INVALID || (old == MODE_X2APIC && new == MODE_XAPIC) ||
	    (old == MODE_DISABLED && new == MODE_X2APIC))
		return false;
	l->base = (l->base & APIC_BASE_BSP) | (val & ~APIC_BASE_BSP);
	if (new == MODE_DISABLED && old != MODE_DISABLED)
		reset_regs(l); /* SDM 3A 11.4.3: re-enabling gives power-up state */
	if (new == MODE_X2APIC && old == MODE_XAPIC)
		l->ldr = x2apic_ldr(l->id);
	return true;
}

/* ---- priority and delivery ------------------------------------------------ */

/* SDM 3A 11.8.3.1 */
uint32_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : PRIO_CLASS(isrv);

	if (PRIO_CLASS(l->tpr) >= isr_class)
		return l->tpr & TPR_BITS;
	return isr_class << 4;
}

int vlapic_pending(const struct vlapic *l)
{
	int v = vec_highest(l->irr);

	if (v < 0 || PRIO_CLASS(v) <= PRIO_CLASS(vlapic_ppr(l)))
		return -1;
	return v;
}

bool vlapic_irr_any(const struct vlapic *l)
{
	uint32_t any = 0;

	for (unsigned i = 0; i < VLAPIC_VECTOR_BANKS; i++)
		any |= l->irr[i];
	return any != 0;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

/* Record an error (SDM 3A 11.5.3) and raise the LVT error interrupt if unmasked. */
static void signal_error(struct vlapic *l, uint32_t bits)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_ERROR];

	l->esr_pending |= bits;
	if (!(lvt & APIC_LVT_MASKED) && (lvt & VECTOR_MASK) >= FIRST_LEGAL_VECTOR)
		vec_set(l->irr, lvt & VECTOR_MASK);
}

bool vlapic_accept(struct vlapic *l, uint8_t vector)
{
	if (!vlapic_enabled(l) || !vlapic_sw_enabled(l))
		return false;
	if (vector < FIRST_LEGAL_VECTOR) {
		signal_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	vec_set(l->irr, vector);
	vec_clear(l->tmr, vector);
	return true;
}

static void eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v >= 0) {
		vec_clear(l->isr, (uint8_t)v);
		vec_clear(l->tmr, (uint8_t)v);
	}
}

/* ---- timer (SDM 3A 11.5.4) ------------------------------------------------ */

static uint32_t dcr_divisor(uint32_t dcr)
{
	uint32_t v = ((dcr & DCR_HIGH_BIT) >> 1) | (dcr & DCR_LOW_BITS);

	return v == DCR_VALUE_DIV1 ? 1 : 2u << v;
}

static uint64_t timer_period(const struct vlapic *l)
{
	return (uint64_t)l->timer_initial * l->timer_divisor;
}

static void timer_arm_count(struct vlapic *l, uint64_t now)
{
	l->timer_divisor = dcr_divisor(l->timer_dcr);
	l->timer_next = l->timer_initial ? now + timer_period(l) : 0;
}

static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t period = timer_period(l), left;

	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE || !l->timer_next || !period)
		return 0;
	if (now < l->timer_next)
		left = l->timer_next - now;
	else if (timer_mode(l) == APIC_TIMER_PERIODIC)
		left = period - (now - l->timer_next) % period;
	else
		return 0;
	return (uint32_t)((left + l->timer_divisor - 1) / l->timer_divisor);
}

static void timer_fire(struct vlapic *l)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_TIMER];

	if (!(lvt & APIC_LVT_MASKED))
		vlapic_accept(l, lvt & VECTOR_MASK);
}

void vlapic_timer_update(struct vlapic *l, uint64_t now)
{
	uint64_t period = timer_period(l);

	if (!l->timer_next || now < l->timer_next)
		return;
	if (timer_mode(l) == APIC_TIMER_PERIODIC && period) {
		/* Re-arm from the missed expiry, not from now: no drift. */
		l->timer_next += ((now - l->timer_next) / period + 1) * period;
	} else {
		l->timer_next = 0;
		l->tsc_deadline = 0; /* SDM 3A 11.5.4.1: the MSR clears on firing */
	}
	timer_fire(l);
}

uint64_t vlapic_timer_next(const struct vlapic *l)
{
	return l->timer_next;
}

uint64_t vlapic_tsc_deadline(const struct vlapic *l)
{
	return timer_mode(l) == APIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t val, uint64_t now)
{
	if (timer_mode(l) != APIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = val;
	l->timer_next = val; /* 0 disarms; a past deadline fires at the next update */
}

/* ---- IPIs ----------------------------------------------------------------- */

static void build_ipi(struct vlapic *l, uint32_t lo, uint32_t dest, struct vlapic_icr *ipi)
{
	struct vlapic_icr icr = {
	    .valid = true,
	    .vector = lo & VECTOR_MASK,
	    .delivery_mode = (lo >> ICR_DM_SHIFT) & ICR_DM_MASK,
	    .level_assert = lo & ICR_LEVEL_ASSERT,
	    .trigger_level = lo & ICR_TRIGGER_LEVEL,
	    .shorthand = (lo >> ICR_SH_SHIFT) & ICR_SH_MASK,
	    .dest_logical = lo & ICR_DEST_LOGICAL,
	    .dest = dest,
	};

	if ((icr.delivery_mode == VLAPIC_DM_FIXED || icr.delivery_mode == VLAPIC_DM_LOWEST) &&
	    icr.vector < FIRST_LEGAL_VECTOR) {
		signal_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	if (ipi)
		*ipi = icr;
}

static bool match_logical(const struct vlapic *t, uint32_t dest)
{
	uint32_t ldr_id, model;

	if (vlapic_x2apic_mode(t)) {
		if (dest == APIC_X2APIC_BROADCAST)
			return true;
		return (dest & X2APIC_LDR_CLUSTER_MASK) == (t->ldr & X2APIC_LDR_CLUSTER_MASK) &&
		       (dest & t->ldr & X2APIC_LDR_MEMBERS);
	}
	dest &= VECTOR_MASK;
	ldr_id = t->ldr >> XAPIC_LDR_SHIFT;
	model = t->dfr >> DFR_MODEL_SHIFT;
	if (model == DFR_MODEL_FLAT)
		return dest & ldr_id;
	/* Cluster model: cluster 0xF is the broadcast to all clusters. */
	if ((dest >> XAPIC_CLUSTER_SHIFT) != XAPIC_CLUSTER_BITS &&
	    (dest >> XAPIC_CLUSTER_SHIFT) != (ldr_id >> XAPIC_CLUSTER_SHIFT))
		return false;
	return dest & ldr_id & XAPIC_CLUSTER_BITS;
}

static bool match_physical(const struct vlapic *t, uint32_t dest)
{
	if (vlapic_x2apic_mode(t))
		return dest == APIC_X2APIC_BROADCAST || dest == t->id;
	dest &= VECTOR_MASK;
	return dest == APIC_XAPIC_BROADCAST || dest == (t->id & VECTOR_MASK);
}

/* SDM 3A 11.6.2 (xAPIC) and 11.12.9-11.12.10 (x2APIC) */
bool vlapic_match_dest(const struct vlapic *target, const struct vlapic_icr *icr,
		       uint32_t source_id)
{
	if (!vlapic_enabled(target))
		return false;
	switch (icr->shorthand) {
	case VLAPIC_SH_SELF:
		return target->id == source_id;
	case VLAPIC_SH_ALL_INCL_SELF:
		return true;
	case VLAPIC_SH_ALL_EXCL_SELF:
		return target->id != source_id;
	default:
		break;
	}
	return icr->dest_logical ? match_logical(target, icr->dest)
				 : match_physical(target, icr->dest);
}

/* ---- register file -------------------------------------------------------- */

static bool bank_reg(uint32_t reg, uint32_t first, unsigned *idx)
{
	if (reg < first || reg >= first + BANK_SPAN)
		return false;
	*idx = (reg - first) / BANK_STRIDE;
	return true;
}

static bool lvt_reg(uint32_t reg, enum vlapic_lvt *which)
{
	if (reg < APIC_LVT_TIMER || reg > APIC_LVT_ERROR)
		return false;
	*which = (enum vlapic_lvt)((reg - APIC_LVT_TIMER) / REG_SLOT);
	return true;
}

static uint32_t lvt_writable(enum vlapic_lvt which)
{
	switch (which) {
	case VLAPIC_LVT_TIMER:
		return LVT_TIMER_BITS;
	case VLAPIC_LVT_LINT0:
	case VLAPIC_LVT_LINT1:
		return LVT_LINT_BITS;
	case VLAPIC_LVT_ERROR:
		return LVT_ERROR_BITS;
	default:
		return LVT_FULL_BITS;
	}
}

/* Registers whose meaning does not depend on the access path. */
static bool read_common(struct vlapic *l, uint32_t reg, uint32_t *val, uint64_t now)
{
	unsigned i;
	enum vlapic_lvt lvt;

	if (bank_reg(reg, APIC_ISR, &i))
		*val = l->isr[i];
	else if (bank_reg(reg, APIC_TMR, &i))
		*val = l->tmr[i];
	else if (bank_reg(reg, APIC_IRR, &i))
		*val = l->irr[i];
	else if (lvt_reg(reg, &lvt))
		*val = l->lvt[lvt];
	else if (reg == APIC_VERSION)
		*val = VLAPIC_VERSION;
	else if (reg == APIC_TPR)
		*val = l->tpr;
	else if (reg == APIC_PPR)
		*val = vlapic_ppr(l);
	else if (reg == APIC_LDR)
		*val = l->ldr;
	else if (reg == APIC_SVR)
		*val = l->svr;
	else if (reg == APIC_ESR)
		*val = l->esr;
	else if (reg == APIC_ICR_LO)
		*val = l->icr_lo;
	else if (reg == APIC_TIMER_INIT)
		*val = l->timer_initial;
	else if (reg == APIC_TIMER_CUR)
		*val = timer_current(l, now);
	else if (reg == APIC_TIMER_DCR)
		*val = l->timer_dcr;
	else
		return false;
	return true;
}

static void write_svr(struct vlapic *l, uint32_t val)
{
	unsigned i;

	l->svr = val & SVR_BITS;
	if (!vlapic_sw_enabled(l)) /* SDM 3A 11.4.7.2 */
		for (i = 0; i < VLAPIC_LVT_COUNT; i++)
			l->lvt[i] |= APIC_LVT_MASKED;
}

static bool write_lvt(struct vlapic *l, enum vlapic_lvt which, uint32_t val)
{
	uint32_t old_mode = timer_mode(l);

	if (which == VLAPIC_LVT_TIMER && lvt_timer_mode(val) == LVT_TIMER_MODE_RESERVED)
		return false;
	if (!vlapic_sw_enabled(l))
		val |= APIC_LVT_MASKED;
	l->lvt[which] = val;
	if (which == VLAPIC_LVT_TIMER && timer_mode(l) != old_mode) {
		l->timer_next = 0; /* SDM 3A 11.5.4.1: a mode change disarms */
		l->tsc_deadline = 0;
	}
	return true;
}

static void write_timer_initial(struct vlapic *l, uint32_t val, uint64_t now)
{
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return;
	l->timer_initial = val;
	timer_arm_count(l, now);
}

/*
 * Writes shared by both paths. `x2` selects x2APIC rules: reserved bits fault
 * instead of being dropped. Returns false when the access must fault.
 */
static bool write_common(struct vlapic *l, uint32_t reg, uint32_t val, bool x2, uint64_t now)
{
	enum vlapic_lvt lvt;
	uint32_t mask;

	if (lvt_reg(reg, &lvt))
		mask = lvt_writable(lvt);
	else if (reg == APIC_TPR)
		mask = TPR_BITS;
	else if (reg == APIC_SVR)
		mask = SVR_BITS;
	else if (reg == APIC_TIMER_DCR)
		mask = DCR_BITS;
	else if (reg == APIC_TIMER_INIT)
		mask = (uint32_t)LOW32;
	else
		return false;
	if (x2 && (val & ~mask))
		return false;
	val &= mask;
	if (lvt_reg(reg, &lvt))
		return write_lvt(l, lvt, val);
	if (reg == APIC_TPR)
		l->tpr = val;
	else if (reg == APIC_SVR)
		write_svr(l, val);
	else if (reg == APIC_TIMER_DCR)
		l->timer_dcr = val;
	else
		write_timer_initial(l, val, now);
	return true;
}

static bool xapic_access_ok(const struct vlapic *l, uint32_t offset, unsigned size)
{
	return vlapic_enabled(l) && !vlapic_x2apic_mode(l) && size == sizeof(uint32_t) &&
	       offset < LAPIC_MMIO_SIZE && !(offset % REG_SLOT);
}

void vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned size, uint32_t *val, uint64_t now)
{
	*val = 0;
	if (!xapic_access_ok(l, offset, size))
		return;
	if (offset == APIC_ID)
		*val = l->id << APIC_ID_XAPIC_SHIFT;
	else if (offset == APIC_DFR)
		*val = l->dfr;
	else if (offset == APIC_ICR_HI)
		*val = l->icr_hi;
	else if (!read_common(l, offset, val, now))
		*val = 0; /* APR, EOI, reserved offsets */
}

void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned size, uint32_t val, uint64_t now,
		       struct vlapic_icr *ipi_out)
{
	if (ipi_out)
		ipi_out->valid = false;
	if (!xapic_access_ok(l, offset, size))
		return;
	switch (offset) {
	case APIC_EOI:
		eoi(l);
		break;
	case APIC_LDR:
		l->ldr = val & XAPIC_LDR_MASK;
		break;
	case APIC_DFR:
		l->dfr = (val & DFR_MODEL_MASK) | DFR_RESERVED_ONES;
		break;
	case APIC_ESR:
		l->esr = l->esr_pending; /* SDM 3A 11.5.3: a write latches */
		l->esr_pending = 0;
		break;
	case APIC_ICR_HI:
		l->icr_hi = val & ICR_HI_XAPIC_BITS;
		break;
	case APIC_ICR_LO:
		l->icr_lo = val & ICR_LO_BITS;
		build_ipi(l, l->icr_lo, l->icr_hi >> ICR_XAPIC_DEST_SHIFT, ipi_out);
		break;
	default:
		write_common(l, offset, val, false, now);
		break;
	}
}

/* x2APIC MSR -> register offset, or false for MSRs outside Table 11-6. */
static bool x2apic_reg(uint32_t msr, uint32_t *reg)
{
	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
		return false;
	*reg = (msr - X2APIC_MSR_FIRST) * REG_SLOT;
	return *reg <= REG_LAST;
}

bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now)
{
	uint32_t reg, v32;

	if (!vlapic_x2apic_mode(l) || !x2apic_reg(msr, &reg))
		return false;
	if (reg == APIC_ID) {
		*val = l->id;
		return true;
	}
	if (reg == APIC_ICR_LO) {
		*val = ((uint64_t)l->icr_hi << 32) | l->icr_lo;
		return true;
	}
	if (!read_common(l, reg, &v32, now))
		return false; /* APR, DFR, EOI, ICR high, SELF IPI, reserved */
	*val = v32;
	return true;
}

static bool x2apic_write_icr(struct vlapic *l, uint64_t val, struct vlapic_icr *ipi_out)
{
	if ((uint32_t)val & ~ICR_LO_BITS)
		return false;
	l->icr_lo = (uint32_t)val;
	l->icr_hi = (uint32_t)(val >> 32);
	build_ipi(l, l->icr_lo, l->icr_hi, ipi_out);
	return true;
}

static bool x2apic_self_ipi(struct vlapic *l, uint64_t val, struct vlapic_icr *ipi_out)
{
	if (val & ~(uint64_t)SELF_IPI_BITS)
		return false;
	build_ipi(l, (uint32_t)val | ((uint32_t)VLAPIC_SH_SELF << ICR_SH_SHIFT) | ICR_LEVEL_ASSERT,
		  l->id, ipi_out);
	return true;
}

bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		      struct vlapic_icr *ipi_out)
{
	uint32_t reg;

	if (ipi_out)
		ipi_out->valid = false;
	if (!vlapic_x2apic_mode(l) || !x2apic_reg(msr, &reg))
		return false;
	if (reg == APIC_ICR_LO)
		return x2apic_write_icr(l, val, ipi_out);
	if (val >> 32)
		return false;
	switch (reg) {
	case APIC_EOI:
		if (val)
			return false; /* SDM 3A 11.12.1.2: non-zero EOI write faults */
		eoi(l);
		return true;
	case APIC_ESR:
		if (val)
			return false;
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return true;
	case APIC_SELF_IPI:
		return x2apic_self_ipi(l, val, ipi_out);
	default:
		return write_common(l, reg, (uint32_t)val, true, now);
	}
}

uint8_t vlapic_tpr(const struct vlapic *l)
{
	return (uint8_t)l->tpr;
}

uint8_t vlapic_cr8(const struct vlapic *l)
{
	return (uint8_t)((l->tpr >> VLAPIC_CR8_SHIFT) & VLAPIC_CR8_MASK);
}

void vlapic_set_cr8(struct vlapic *l, uint8_t cr8)
{
	l->tpr = (uint32_t)(cr8 & VLAPIC_CR8_MASK) << VLAPIC_CR8_SHIFT;
}
