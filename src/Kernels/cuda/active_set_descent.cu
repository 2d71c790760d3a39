// active_set_descent: whole coordinate-descent sweeps over each problem's active entries, on the device.
//
// One thread block per problem b (grid = (B, 1), block = 256 threads, ≈ 2 KB static shared memory). For each
// entry e in [offsets[b], offsets[b+1]) in order, with j = feature[e], x̃_ij = (x_ij − centre[e])·inverseScale[e]:
//     skip the entry (β unchanged, no change counted) when curvature[e] ≤ 0 or inverseScale[e] == 0
//     g  = Σ_i w_ib x̃_ij r_ib                        (block-wide tree reduction, float64)
//     β' = clamp(S(g + curvature[e]·β, l1[e]) / (curvature[e] + l2[e]), lower[e], upper[e])
//     r_ib −= (β' − β) x̃_ij on every row            (each thread updates the rows it reduced over)
//     Σ_i w_ib r_ib −= (β' − β) · weightedSum[e]     (weightedSum[e] = Σ_i w_ib x̃_ij, given by the host)
// S is the soft threshold (|z| ≤ l1 gives 0). Sweeps repeat until max_e curvature[e]·(β'−β)² < tolerance[b] over
// a whole sweep, or maxSweeps sweeps (an empty active set is one sweep, converged when tolerance[b] > 0); the
// block then writes sweeps[b], converged[b] (1/0) and wrsum[b]. This is DescentBatch's contract as the CPU
// backend implements it, and the host makes one launch per call, never one per coordinate.
//
// Every thread computes the same β' from the same reduced sum, so no broadcast is needed; thread t owns rows
// t, t+256, … for both the reduction and the residual update, so the residual needs no barrier either. The skip
// test reads the same values on every thread, so the barriers stay uniform.
// Memory traffic per coordinate step: column j of X, w_b and r_b read once, r_b written once when β moves
// (r_b and w_b mostly stay in L1/L2: one problem per SM); 10 barriers per step.
#include "device.cuh"

// Sums a over the block; every thread gets the total. The tree has a fixed shape, so the result is the same on
// every thread and on every run.
GE_DEVICE double block_sum(double* red, double a)
{
    int t = ge_thread_x();
    ge_sync(); // the previous reduction's readers are done with red
    red[t] = a;
    ge_sync();
    for (int stride = kThreads / 2; stride > 0; stride >>= 1)
    {
        if (t < stride)
        {
            red[t] += red[t + stride];
        }
        ge_sync();
    }
    return red[0];
}

template <typename TX>
GE_DEVICE void active_set_descent(const TX* __restrict__ x, long long n, const int* __restrict__ offsets,
    const int* __restrict__ feature, double* beta, const double* __restrict__ centre,
    const double* __restrict__ inverseScale, const double* __restrict__ weightedSum,
    const double* __restrict__ curvature, const double* __restrict__ l1, const double* __restrict__ l2, const double* __restrict__ lower, const double* __restrict__ upper,
    double* residual, const double* __restrict__ weights, double* wrsum, const double* __restrict__ tolerance,
    int maxSweeps, int* sweeps, int* converged)
{
    GE_SHARED double red[kThreads];

    int t = ge_thread_x();
    int b = ge_block_x();
    double* r = residual + ((long long)b * n);
    const double* w = weights + ((long long)b * n);
    int begin = offsets[b];
    int end = offsets[b + 1];
    double tol = tolerance[b];
    double wrs = wrsum[b];

    int sweep = 0;
    int done = 0;
    while (sweep < maxSweeps)
    {
        double maxChange = 0.0;
        for (int e = begin; e < end; ++e)
        {
            double a = curvature[e];
            double s = inverseScale[e];
            if (a <= 0.0 || s == 0.0)
            {
                continue; // as the CPU backend: an unusable entry keeps its β and counts no change
            }

            const TX* xj = x + ((long long)feature[e] * n);
            double c = centre[e];
            // Read before the reduction's barriers: thread 0 writes beta[e] after them.
            double old = beta[e];

            double gradient = 0.0;
            for (long long i = t; i < n; i += kThreads)
            {
                gradient += w[i] * ((double)xj[i] - c) * r[i];
            }

            gradient = s * block_sum(red, gradient);

            double z = gradient + (a * old);
            double magnitude = (z < 0.0 ? -z : z) - l1[e];
            double updated = 0.0;
            if (magnitude > 0.0)
            {
                updated = (z < 0.0 ? -magnitude : magnitude) / (a + l2[e]);
            }

            double lo = lower[e];
            double hi = upper[e];
            updated = updated < lo ? lo : updated;
            updated = updated > hi ? hi : updated;

            double delta = updated - old;
            if (delta != 0.0)
            {
                double step = delta * s;
                for (long long i = t; i < n; i += kThreads)
                {
                    r[i] -= step * ((double)xj[i] - c);
                }

                wrs -= delta * weightedSum[e];
                if (t == 0)
                {
                    beta[e] = updated;
                }
            }

            double change = a * delta * delta;
            maxChange = change > maxChange ? change : maxChange;
        }

        ++sweep;
        if (maxChange < tol)
        {
            done = 1;
            break;
        }
    }

    if (t == 0)
    {
        wrsum[b] = wrs;
        sweeps[b] = sweep;
        converged[b] = done;
    }
}

GE_KERNEL void active_set_descent_f64(const double* x, long long n, const int* offsets, const int* feature,
    double* beta, const double* centre, const double* inverseScale, const double* weightedSum, const double* curvature,
    const double* l1, const double* l2, const double* lower, const double* upper, double* residual, const double* weights,
    double* wrsum, const double* tolerance, int maxSweeps, int* sweeps, int* converged)
{
    active_set_descent(x, n, offsets, feature, beta, centre, inverseScale, weightedSum, curvature, l1, l2, lower, upper,
        residual, weights, wrsum, tolerance, maxSweeps, sweeps, converged);
}

GE_KERNEL void active_set_descent_f32(const float* x, long long n, const int* offsets, const int* feature,
    double* beta, const double* centre, const double* inverseScale, const double* weightedSum, const double* curvature,
    const double* l1, const double* l2, const double* lower, const double* upper, double* residual, const double* weights,
    double* wrsum, const double* tolerance, int maxSweeps, int* sweeps, int* converged)
{
    active_set_descent(x, n, offsets, feature, beta, centre, inverseScale, weightedSum, curvature, l1, l2, lower, upper,
        residual, weights, wrsum, tolerance, maxSweeps, sweeps, converged);
}
