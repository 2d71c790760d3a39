/* Synthetic PLINK 1 fileset for the memory benchmark: PREFIX.bed/.bim/.fam with N samples x P variants.
 * Hardy-Weinberg genotypes (MAF uniform in [MAFLO, MAFHI], default [0.05, 0.5], A1 the minor allele for about half
 * the variants),
 * missing calls at rate MISS, and a quantitative phenotype (.fam column 6) from C causal variants plus noise
 * (heritability 0.5), centred and scaled to unit population variance.
 * Usage: make_bed PREFIX N P [MISS=0.02] [C=50] [SEED=1] [MAFLO=0.05] [MAFHI=0.5]
 * (bench/results/packed-gradient-epyc-2core.md uses MAFLO=0.001 MAFHI=0.05 for rare variants)
 * Build: gcc -O2 -o make_bed make_bed.c -lm */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t z) { /* splitmix64 finaliser */
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct { uint64_t s[4]; } rng_t; /* xoshiro256** */
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t next(rng_t *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}
static void seed(rng_t *r, uint64_t a, uint64_t b) {
    for (int k = 0; k < 4; k++) r->s[k] = mix64(a * 0x100000001b3ULL + b * 4 + (uint64_t)k + 1);
}
static double unif(rng_t *r) { return (double)(next(r) >> 11) * 0x1.0p-53; }
static double gauss(rng_t *r) { /* Box-Muller */
    double u = unif(r), v = unif(r);
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s PREFIX N P [MISS] [CAUSAL] [SEED] [MAFLO] [MAFHI]\n", argv[0]); return 2; }
    const char *prefix = argv[1];
    long n = atol(argv[2]), p = atol(argv[3]);
    double miss = argc > 4 ? atof(argv[4]) : 0.02;
    long nc = argc > 5 ? atol(argv[5]) : 50;
    uint64_t sd = argc > 6 ? strtoull(argv[6], 0, 10) : 1;
    double maf_lo = argc > 7 ? atof(argv[7]) : 0.05, maf_hi = argc > 8 ? atof(argv[8]) : 0.5;
    if (n <= 0 || p <= 0 || nc > p) { fprintf(stderr, "bad sizes\n"); return 2; }
    long bpv = (n + 3) / 4;
    char path[4096];

    /* causal variants (evenly spread, offset by the seed) and their effects */
    long *causal = malloc(sizeof(long) * nc);
    double *effect = malloc(sizeof(double) * nc);
    rng_t meta; seed(&meta, sd, 0xC0FFEE);
    for (long k = 0; k < nc; k++) {
        causal[k] = (long)((k + unif(&meta)) * (double)p / (double)nc);
        if (causal[k] >= p) causal[k] = p - 1;
        effect[k] = gauss(&meta);
    }
    double *g = calloc(n, sizeof(double));

    snprintf(path, sizeof path, "%s.bed", prefix);
    FILE *bed = fopen(path, "wb");
    snprintf(path, sizeof path, "%s.bim", prefix);
    FILE *bim = fopen(path, "w");
    if (!bed || !bim) { perror("open"); return 1; }
    setvbuf(bed, NULL, _IOFBF, 1 << 22);
    setvbuf(bim, NULL, _IOFBF, 1 << 22);
    const unsigned char magic[3] = {0x6c, 0x1b, 0x01};
    fwrite(magic, 1, 3, bed);
    unsigned char *row = malloc(bpv);
    int8_t *dose = malloc(n);
    const char *alleles = "ACGT";
    /* thresholds on 21-bit uniforms: three per 64-bit draw (allele 1, allele 2, missingness) */
    const uint32_t scale = 1u << 21;
    uint32_t tmiss = (uint32_t)(miss * scale);
    long missing = 0, next_causal = 0;
    for (long j = 0; j < p; j++) {
        rng_t r; seed(&r, sd, (uint64_t)j + 1);
        double maf = maf_lo + (maf_hi - maf_lo) * unif(&r);
        int a1_minor = next(&r) & 1;
        double f1 = a1_minor ? maf : 1 - maf;
        uint32_t t1 = (uint32_t)(f1 * scale);
        memset(row, 0, bpv);
        for (long i = 0; i < n; i++) {
            uint64_t x = next(&r);
            uint32_t u1 = x & (scale - 1), u2 = (x >> 21) & (scale - 1), u3 = (x >> 42) & (scale - 1);
            int d = (u1 < t1) + (u2 < t1);
            dose[i] = (int8_t)d;
            /* code = high*2 + low: 0 = two A1, 2 = one A1, 3 = no A1, 1 = missing */
            unsigned code = u3 < tmiss ? 1u : (d == 2 ? 0u : d == 1 ? 2u : 3u);
            missing += code == 1u;
            row[i >> 2] |= (unsigned char)(code << (2 * (i & 3)));
        }
        fwrite(row, 1, bpv, bed);
        while (next_causal < nc && causal[next_causal] == j) {
            for (long i = 0; i < n; i++) g[i] += effect[next_causal] * dose[i];
            next_causal++;
        }
        int ia = (int)(next(&r) & 3), ib = (ia + 1 + (int)(next(&r) % 3)) & 3;
        fprintf(bim, "%ld\tsnp%ld\t0\t%ld\t%c\t%c\n", j * 22 / p + 1, j + 1, 1000 + j * 100, alleles[ia], alleles[ib]);
    }
    if (fclose(bed) || fclose(bim)) { perror("close"); return 1; }

    /* phenotype: g + noise with var(noise) = var(g) (h2 = 0.5), then unit population variance */
    double mg = 0, vg = 0;
    for (long i = 0; i < n; i++) mg += g[i] / n;
    for (long i = 0; i < n; i++) vg += (g[i] - mg) * (g[i] - mg) / n;
    rng_t noise; seed(&noise, sd, 0xBEEF);
    double *y = malloc(sizeof(double) * n), my = 0, vy = 0;
    for (long i = 0; i < n; i++) { y[i] = g[i] + sqrt(vg > 0 ? vg : 1) * gauss(&noise); my += y[i] / n; }
    for (long i = 0; i < n; i++) vy += (y[i] - my) * (y[i] - my) / n;
    snprintf(path, sizeof path, "%s.fam", prefix);
    FILE *fam = fopen(path, "w");
    if (!fam) { perror("open"); return 1; }
    for (long i = 0; i < n; i++)
        fprintf(fam, "F%ld I%ld 0 0 %d %.17g\n", i + 1, i + 1, (int)(i % 2) + 1, (y[i] - my) / sqrt(vy));
    if (fclose(fam)) { perror("close"); return 1; }
    FILE *cf;
    snprintf(path, sizeof path, "%s.causal", prefix);
    if ((cf = fopen(path, "w"))) {
        for (long k = 0; k < nc; k++) fprintf(cf, "snp%ld %.6f\n", causal[k] + 1, effect[k]);
        fclose(cf);
    }
    fprintf(stderr, "wrote %s.{bed,bim,fam}: %ld samples x %ld variants, %ld missing calls (%.3f%%), %ld causal\n",
            prefix, n, p, missing, 100.0 * (double)missing / ((double)n * (double)p), nc);
    return 0;
}
