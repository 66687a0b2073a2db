## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/sim/local.mk - the simulator's library: the scenario parser and the core that runs a plan against it on a virtual clock.
noinst_LIBRARIES += runtime/sim/libsim.a
runtime_sim_libsim_a_SOURCES = \
	runtime/sim/scenario.c runtime/sim/scenario.h \
	runtime/sim/sim.c runtime/sim/sim.h
SIM_LIBS = runtime/sim/libsim.a $(COMMON_LIBS)
