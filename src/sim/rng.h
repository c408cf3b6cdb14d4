/*
 * rng.h — counter-based random numbers for the simulator.
 *
 * Key idea: every random draw is a pure function of (seed, stream, a, b):
 * the SplitMix64 finaliser (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) applied to a mix of them.
 * So a radar's noise for mover 7 at one time does not depend on how many
 * movers or sensors follow it in the scenario, and a run is byte-reproducible
 * for a seed whatever the order of computation.
 */
#ifndef CAIRN_SIM_RNG_H
#define CAIRN_SIM_RNG_H

#include <math.h>
#include <stdint.h>

static inline uint64_t sim_mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t sim_rand(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    return sim_mix64(sim_mix64(sim_mix64(seed ^ sim_mix64(stream)) ^ a) ^ b);
}

/* Uniform in [0, 1) with 53 bits. */
static inline double sim_unif(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    return (double)(sim_rand(seed, stream, a, b) >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal (Box-Muller on two draws of the same counter). */
static inline double sim_gauss(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    double u1 = sim_unif(seed, stream, a, b * 2 + 0);
    double u2 = sim_unif(seed, stream, a, b * 2 + 1);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

#endif
