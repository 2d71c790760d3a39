// batched_gradient: G[k,b] = Σ_i x̃_ij,b r_ib for j = columns[k] (or j = k), B problems, one pass over X.
//
// Computes, for every listed column k and problem b,
//     G[b*K + k] = s[u*K + k] · Σ_i (x_ij − c[u*K + k]) · R[b*n + i],   u = problemOf[b] (u = b when null)
// which is Σ_i x̃_ij r_ib with x̃ = (x − c)·s. The centre is subtracted per element rather than as c·Σr afterwards,
// so a large centre does not cancel digits. c and s are K × U, indexed by the *output* position k and the transform
// problem u: several residual columns (one problem at several λ) share one transform column, so the host uploads
// each used transform column once (gathered to the listed columns, or the whole p-column when every column is
// wanted) plus the B-entry map, never B copies. centre == null means c = 0 and inverseScale == null means s = 1.
// Accumulation is float64 for both X types.
//
// Launch: block = 256 threads, grid = (ceil(K / CT), ceil(B / BT)), BT = the problem-tile width the host passes
// (power of two ≤ 32), CT = max(32, 256 / BT); static shared memory ≈ 37 KB (column_tiles.cuh).
// Memory traffic: X read once per problem tile, i.e. ceil(B / 32) times in all (once for B ≤ 32), in coalesced
// 16-row column segments; R re-read from L2 once per column tile (n·B·8 bytes per CT columns); G written once.
#include "column_tiles.cuh"

template <typename TX>
GE_DEVICE void batched_gradient(const TX* __restrict__ x, long long n, const int* __restrict__ columns, int columnCount,
    const double* __restrict__ r, int batch, int bt, const int* __restrict__ problemOf, const double* __restrict__ centre,
    const double* __restrict__ inverseScale, double* __restrict__ g)
{
    GE_SHARED double xs[kTileRows * kXsPitch];
    GE_SHARED double rs[kTileRows * kMaxProblemsPerBlock];

    TileShape shape = tile_shape(bt);
    int t = ge_thread_x();
    int local = t % bt;
    int slot = t / bt;
    int k0 = ge_block_x() * shape.columns;
    int b0 = ge_block_y() * bt;
    int b = b0 + local;
    // Transform column of this thread's problem (only read for a real problem).
    long long u = b < batch ? (problemOf ? problemOf[b] : b) : 0;

    double c[kMaxColumnsPerThread];
    double acc[kMaxColumnsPerThread];
#pragma unroll
    for (int q = 0; q < kMaxColumnsPerThread; ++q)
    {
        int k = k0 + slot + (q * shape.slots);
        bool mine = q < shape.perThread && k < columnCount && b < batch;
        c[q] = mine && centre ? centre[u * columnCount + k] : 0.0;
        acc[q] = 0.0;
    }

    for (long long i0 = 0; i0 < n; i0 += kTileRows)
    {
        ge_sync(); // every thread is done with the previous tile
        stage_tile(xs, rs, x, n, columns, columnCount, k0, shape.columns, r, batch, b0, bt, i0);
        ge_sync();
        for (int row = 0; row < kTileRows; ++row)
        {
            double rv = rs[row * kMaxProblemsPerBlock + local];
#pragma unroll
            for (int q = 0; q < kMaxColumnsPerThread; ++q)
            {
                if (q < shape.perThread)
                {
                    acc[q] += (xs[row * kXsPitch + slot + (q * shape.slots)] - c[q]) * rv;
                }
            }
        }
    }

#pragma unroll
    for (int q = 0; q < kMaxColumnsPerThread; ++q)
    {
        int k = k0 + slot + (q * shape.slots);
        if (q < shape.perThread && k < columnCount && b < batch)
        {
            double s = inverseScale ? inverseScale[u * columnCount + k] : 1.0;
            g[(long long)b * columnCount + k] = s * acc[q];
        }
    }
}

GE_KERNEL void batched_gradient_f64(const double* x, long long n, const int* columns, int columnCount, const double* r,
    int batch, int bt, const int* problemOf, const double* centre, const double* inverseScale, double* g)
{
    batched_gradient(x, n, columns, columnCount, r, batch, bt, problemOf, centre, inverseScale, g);
}

GE_KERNEL void batched_gradient_f32(const float* x, long long n, const int* columns, int columnCount, const double* r,
    int batch, int bt, const int* problemOf, const double* centre, const double* inverseScale, double* g)
{
    batched_gradient(x, n, columns, columnCount, r, batch, bt, problemOf, centre, inverseScale, g);
}
