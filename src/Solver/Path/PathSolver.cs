using GpuEnet.Kernels;
using GpuEnet.Solver.Model;
using GpuEnet.Solver.Preprocessing;

namespace GpuEnet.Solver.Path;

/// <summary>Progress of a batched path solve: how many (problem, λ) pairs are accepted out of how many.</summary>
/// <param name="Done">Accepted (problem, λ) pairs.</param>
/// <param name="Total">All (problem, λ) pairs (an upper bound while early stops are possible).</param>
/// <param name="Passes">Full passes over X so far.</param>
public readonly record struct PathProgress(int Done, int Total, int Passes);

/// <summary>
/// Solves the Elastic Net path of every problem of a batch over one bound design, all problems advancing together.
/// Each round takes a block of the next λ values of every problem, screens features with the sequential strong
/// rule, solves each λ on the strong set by active-set coordinate descent (warm starts along the path), and then
/// validates all the block's solutions of all problems with ONE batched pass over X (the KKT check of every
/// discarded feature). Solutions up to the first violation are accepted; violators join the strong set and the
/// path resumes from there. One pass over X therefore certifies several λ of several problems (BASIL-style).
/// The pass computes only the columns some problem needs: every feature keeps its last exact gradient and a bound on
/// how far the residual has moved since (Cauchy–Schwarz: |Δg_j| ≤ ‖x̃_j‖_W·‖Δr‖_W), and a feature whose bound stays
/// below its KKT limit provably cannot violate, so its column is skipped.
/// </summary>
internal sealed class PathSolver
{
    // glmnet's early stop: after 5 λ, stop when the deviance ratio gains less than 1e-5 of itself, or exceeds 0.999.
    private const int EarlyStopMinimumLambdas = 5;
    private const double EarlyStopRelativeGain = 1e-5;
    private const double EarlyStopMaximumRatio = 0.999;

    // A KKT pass lists its columns only while that saves work; above this fraction of p it reads them all.
    private const double FullPassFraction = 0.8;

    // A skipped feature's bound must stay this far (relative) below its KKT limit: margin for rounding in the gradient.
    private const double BoundMargin = 1e-9;

    // A KKT pass needs exact gradients only where |g_j| may reach the KKT limit λ·a·v_j (violators, the active set, the
    // duality gap's dual scaling); below a fraction of the limit a backend may return an upper bound of |g_j| instead (a GPU
    // then brings back only the entries above it, and the limit itself stands for the others). The other use of those
    // gradients, the sequential strong rule of the next block, compares |g_j| with a(2λ_low − λ_prev)·v_j; the fraction is
    // kept below that, so a bound never makes a feature a strong-rule candidate (see ExactGradientLimit), and never above
    // this. (A design that skips columns by the KKT bound gets exact gradients: only full-pass designs bound them.)
    // Measured (10-fold CV, n = 200, p = 20,000, bench/gpu/project): gradient entries brought back 0.05 GB at 0.4, 0.01 GB
    // at 0.6, and at this value (the strong rule's own limit, 0.91 on the default sequence, decides) 0.00x GB.
    private const double ExactGradientFraction = 0.95;

    // A λ block is only as long as the strong rule stays informative: the block's last λ ≥ this fraction of the previous.
    private const double BlockLambdaFloor = 0.7;
    private const int MaximumResidualColumns = 16;

    // Longer blocks save passes but grow the strong set (candidates for the block's smallest λ) and the descent work with
    // it; since the KKT pass computes only uncertain columns, passes are cheap enough that 4 is the better trade
    // (measured: n=1000, p=100k lasso 2.28 s with blocks up to 16, 1.60 s with 4; n=100, p=50k 0.59 s vs 0.54 s).
    private const int MaximumBlock = 4;

    // Floor of the deviance the descent tolerance is relative to, on the solver's internal y scale (max |y| in [1, 2)): far
    // below anything a y that varies in double precision can give (rounding alone leaves ~1e-32).
    private const double MinimumDeviance = 1e-100;

    private readonly IBoundDesign _design;
    // y / _yScale: the solver works on a target whose largest |y| is in [1, 2), whatever the user's units. Set by Solve
    // from the rows some problem trains on; the original y is kept for that.
    private readonly double[] _userY;
    private double[] _y = [];
    private double _yScale = 1;
    private readonly EnetSettings _settings;
    private readonly IProgress<PathProgress>? _progress;
    private readonly int _n;
    private readonly int _p;
    private readonly double[] _penalty;
    private int _passes;

    // Buffers of the KKT pass, kept across rounds: they are the largest allocations of a solve (p × residual columns).
    private double[] _kktResiduals = [];
    private double[] _kktGradient = [];
    private bool[] _needed = [];
    private readonly Dictionary<int, DescentBatch> _work = [];

    // The most λ a block may hold in this solve (the fixed --lambda-block, or the batch's maximum).
    private int _longestBlock = MaximumBlock;
    private readonly PhaseTimes _times = new();

    public PathSolver(IBoundDesign design, double[] y, EnetSettings settings, IProgress<PathProgress>? progress)
    {
        _design = design;
        _userY = y;
        _settings = settings;
        _progress = progress;
        _n = design.Rows;
        _p = design.Columns;
        _penalty = RescaledPenalty(settings.PenaltyFactor, _p);
    }

    /// <summary>Full passes over X made (moments, initial gradient and KKT passes).</summary>
    public int Passes => _passes;

    /// <summary>Columns the KKT passes computed, summed over passes (p per pass without the bound).</summary>
    public long KktColumns => _times.Listed;

    /// <summary>
    /// The power of two the solver divides y by: 2^⌊log2 max|y_i|⌋ (finite up to the largest double), or 1 for y = 0. The objective is homogeneous
    /// under y → y/s, b → b/s with λ·a → λ·a/s and λ·(1−a) kept, so the solution is the same problem's; a power of two
    /// makes that exact in floating point, so results are bitwise those of the unscaled arithmetic wherever that neither
    /// overflows nor underflows — and no squared residual, deviance or tolerance can overflow or underflow for any finite y.
    /// </summary>
    public static double TargetScale(double[] y)
    {
        double largest = 0;
        foreach (double v in y)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        return largest > 0 && double.IsFinite(largest) ? Math.ScaleB(1.0, Math.ILogB(largest)) : 1;
    }

    /// <summary>Penalty factors rescaled to sum to p, as glmnet does.</summary>
    public static double[] RescaledPenalty(double[]? factors, int p)
    {
        var v = new double[p];
        if (factors is null)
        {
            Array.Fill(v, 1.0);
            return v;
        }

        double total = factors.Sum();
        for (int j = 0; j < p; j++)
        {
            v[j] = total > 0 ? factors[j] * p / total : 0;
        }

        return v;
    }

    public PathSolution[] Solve(IReadOnlyList<PathProblem> problems)
    {
        int batch = problems.Count;
        var weights = new double[(long)_n * batch];
        for (int b = 0; b < batch; b++)
        {
            // Divided first by a power of two near the largest weight (exact), so that the sum cannot overflow.
            var w = problems[b].Weights;
            double largest = w.Max();
            if (!(largest > 0))
            {
                throw new ArgumentException($"Problem {b + 1} of the batch has no row of positive weight.");
            }

            double scale = Math.ScaleB(1.0, Math.ILogB(largest));
            double sum = 0;
            foreach (double v in w)
            {
                sum += v / scale;
            }

            for (int i = 0; i < _n; i++)
            {
                weights[((long)b * _n) + i] = w[i] / scale / sum;
            }
        }

        // The y scale comes from the rows that carry weight in some problem or are evaluated; any other row takes no part in
        // any sum, so its y is set to 0 (a y of 1e300 there must not push every other y into underflow, nor overflow itself).
        var used = new bool[_n];
        for (long at = 0; at < weights.LongLength; at++)
        {
            used[at % _n] |= weights[at] > 0;
        }

        foreach (int i in problems.SelectMany(q => q.EvaluationRows))
        {
            used[i] = true;
        }

        _yScale = TargetScale(_userY.Where((_, i) => used[i]).ToArray());
        _y = new double[_n];
        for (int i = 0; i < _n; i++)
        {
            _y[i] = used[i] ? _userY[i] / _yScale : 0;
        }

        var modelProblems = problems.Select(q => q.EvaluationRows.Length == 0).ToArray();
        var std = Standardization.Learn(_design, _y, weights, batch, _settings.Standardize, _settings.Intercept, _settings.Impute, modelProblems, _settings, problems.Select(q => q.Draw).ToArray());
        _passes += 2;
        var states = new ProblemState[batch];
        for (int b = 0; b < batch; b++)
        {
            states[b] = new ProblemState(this, b, problems[b], weights.AsSpan(b * _n, _n).ToArray(), std);
        }

        InitialGradient(states, std);
        foreach (var s in states.Where(s => s.Follows >= 0))
        {
            s.UseSequenceOf(states[s.Follows]);
        }

        int total = states.Sum(s => s.Lambda.Length);
        int done = 0;
        // A pass validates B·m solutions; its arithmetic grows with B·m while X is read once, so blocks only pay when the
        // batch is small. Aim for about 16 residual columns per pass.
        int maxBlock = Math.Clamp(MaximumResidualColumns / batch, 1, MaximumBlock);
        _longestBlock = _settings.LambdaBlock ?? maxBlock;
        int block = _longestBlock;
        while (true)
        {
            var active = states.Where(s => !s.Done).ToList();
            if (active.Count == 0)
            {
                break;
            }

            bool allAccepted = RunBlock(active, block, std, ref done);
            foreach (var s in states.Where(s => s.Follows >= 0 && states[s.Follows].Done))
            {
                s.StopAt(states[s.Follows].Solution.Lambda.Count);
            }

            _progress?.Report(new PathProgress(done, total, _passes));
            if (_settings.LambdaBlock is null)
            {
                block = allAccepted ? Math.Min(maxBlock, block * 2) : Math.Max(1, block / 2);
            }
        }

        if (Environment.GetEnvironmentVariable("GPUENET_PROFILE") == "1")
        {
            Console.Error.WriteLine($"profile: passes {_passes}, gradient {_times.Gradient:F2} s, descent {_times.Descent:F2} s (kernel {_times.Kernel:F2} s, bound {_times.Bound:F2} s), screening {_times.Screening:F2} s, accept {_times.Accept:F2} s, sweeps {states.Sum(s => s.Solution.Sweeps)}, coordinate steps {_times.Coordinates}, descent calls {_times.Calls}, KKT columns {(double)_times.Listed / Math.Max(1, _passes - 3) / _p:P0} of p, strong sizes {string.Join(",", states.Take(3).Select(s => s.StrongList.Count))}");
            Console.Error.WriteLine($"profile: device traffic: {_design.Traffic}");
        }

        // Thrown here, not inside the parallel validation, so that callers see an ArgumentException.
        if (states.FirstOrDefault(s => s.Overflow is not null) is { } overflowed)
        {
            throw new ArgumentException(overflowed.Overflow);
        }

        return states.Select(s => s.Solution).ToArray();
    }

    // Descent work areas are reused across calls (one per batch size): a path makes thousands of descent calls.
    private DescentBatch WorkFor(int batch, int capacity)
    {
        if (!_work.TryGetValue(batch, out var work))
        {
            work = new DescentBatch(_n, batch, capacity);
            _work[batch] = work;
        }

        work.EnsureCapacity(capacity);
        return work;
    }

    private static double[] Buffer(ref double[] buffer, long length)
    {
        if (buffer.Length < length)
        {
            buffer = new double[length];
        }

        return buffer;
    }

    private sealed class PhaseTimes
    {
        public double Gradient { get; set; }

        public double Descent { get; set; }

        public double Screening { get; set; }

        public double Accept { get; set; }

        public long Coordinates { get; set; }

        public long Calls { get; set; }

        public double Kernel { get; set; }

        public long Listed { get; set; }

        public double Bound { get; set; }
    }

    private void InitialGradient(ProblemState[] states, Standardization std)
    {
        int batch = states.Length;
        var r = new double[(long)_n * batch];
        for (int b = 0; b < batch; b++)
        {
            var s = states[b];
            for (int i = 0; i < _n; i++)
            {
                r[((long)b * _n) + i] = s.Weights[i] * s.Residual[i];
            }
        }

        var g = new double[(long)_p * batch];
        _design.BatchedGradient([], r, batch, std.Transform, g);
        _passes++;
        for (int b = 0; b < batch; b++)
        {
            states[b].Start(g.AsSpan(b * _p, _p));
        }
    }

    // One round: solve a block of λ per problem on its strong set, then validate all of them with one pass over X.
    private bool RunBlock(List<ProblemState> active, int block, Standardization std, ref int done)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        // Screening and validation are per problem and touch only that problem's state: problems run in parallel.
        Parallel.ForEach(active, s => s.PlanBlock(block));

        _times.Screening += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        t0 = System.Diagnostics.Stopwatch.GetTimestamp();

        int longest = active.Max(s => s.BlockLength);
        for (int t = 0; t < longest; t++)
        {
            var solving = active.Where(s => t < s.BlockLength).ToList();
            SolveAtLambda(solving, t);
            foreach (var s in solving)
            {
                s.TakeSnapshot(t);
            }
        }

        // One batched KKT pass: residual column q is (problem, block position).
        var columns = new List<(ProblemState State, int T)>();
        foreach (var s in active)
        {
            for (int t = 0; t < s.BlockLength; t++)
            {
                columns.Add((s, t));
            }
        }

        var r = Buffer(ref _kktResiduals, (long)_n * columns.Count);
        var problemOf = new int[columns.Count];
        var threshold = new double[columns.Count];
        for (int q = 0; q < columns.Count; q++)
        {
            var (s, t) = columns[q];
            problemOf[q] = s.Index;
            threshold[q] = s.ExactGradientLimit(t);
            var snap = s.Snapshots[t].Residual;
            var dst = r.AsSpan(q * _n, _n);
            System.Numerics.Tensors.TensorPrimitives.Multiply(s.Weights, snap, dst);
        }

        long tb = System.Diagnostics.Stopwatch.GetTimestamp();
        var features = NeededFeatures(active);
        _times.Bound += System.Diagnostics.Stopwatch.GetElapsedTime(tb).TotalSeconds;
        int count = features?.Length ?? _p;
        _times.Descent += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var g = Buffer(ref _kktGradient, (long)count * columns.Count);
        // An empty list means "every column" to the kernel contract. When no column is needed (every feature constant,
        // or every bound certified at a λ above λ_max) there is nothing to compute and no pass is made.
        if (count > 0)
        {
            _design.BatchedGradient(features ?? [], r.AsSpan(0, _n * columns.Count), columns.Count, std.Transform.WithProblemMap(problemOf), g.AsSpan(0, count * columns.Count), new GradientBound(_penalty, threshold));
            _passes++;
        }

        _times.Gradient += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        _times.Listed += count;
        t0 = System.Diagnostics.Stopwatch.GetTimestamp();

        var firstColumn = new int[active.Count];
        for (int a = 1; a < active.Count; a++)
        {
            firstColumn[a] = firstColumn[a - 1] + active[a - 1].BlockLength;
        }

        var pass = new KktPass(g, count, features);
        var accepted = new int[active.Count];
        Parallel.For(0, active.Count, a => accepted[a] = active[a].Validate(pass, firstColumn[a]));
        bool allAccepted = true;
        for (int a = 0; a < active.Count; a++)
        {
            done += accepted[a];
            allAccepted &= accepted[a] == active[a].BlockLength;
        }

        _times.Accept += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;

        return allAccepted;
    }

    // The columns the KKT pass must compute: every feature some problem cannot certify by its bound (or that is in a
    // strong set, for the duality gap). Null when that is most of them: a full pass is then cheaper than a listed one.
    private int[]? NeededFeatures(List<ProblemState> active)
    {
        if (_settings.FullKktPasses || _design.PrefersFullPasses)
        {
            return null;
        }

        var needed = _needed.Length == _p ? _needed : (_needed = new bool[_p]);
        Array.Clear(needed);

        // Problems mark in parallel: they only ever write true, so the shared marks need no lock.
        Parallel.ForEach(active, s => s.MarkUncertain(needed));
        int count = 0;
        foreach (bool mark in needed)
        {
            count += mark ? 1 : 0;
        }

        if (count > FullPassFraction * _p)
        {
            return null;
        }

        var features = new int[count];
        int k = 0;
        for (int j = 0; j < _p; j++)
        {
            if (needed[j])
            {
                features[k++] = j;
            }
        }

        return features;
    }

    /// <summary>A KKT pass's gradients: |features| × residual columns, column k holding feature <c>Features[k]</c> (all p when null).</summary>
    private sealed record KktPass(double[] Gradient, int Count, int[]? Features)
    {
        public int Feature(int k) => Features is null ? k : Features[k];

        public ReadOnlySpan<double> Column(int q) => Gradient.AsSpan(q * Count, Count);
    }

    // Active-set cycling for every problem at block position t: one sweep over the strong set, converge on the
    // active set, repeat until a sweep over the strong set changes nothing above the tolerance.
    private void SolveAtLambda(List<ProblemState> solving, int t)
    {
        foreach (var s in solving)
        {
            s.SetLambda(t);
        }

        // MaxSweeps bounds the sweeps of one λ over all its rounds, so no input can keep this loop going: a λ that has not
        // converged by then is accepted as it stands (its duality gap says how far it is from the optimum).
        var start = solving.Select(s => s.Solution.Sweeps).ToArray();
        var pending = Enumerable.Range(0, solving.Count).ToList();
        while (pending.Count > 0)
        {
            var states = pending.Select(i => solving[i]).ToList();
            Descend(states, activeOnly: true, maxSweeps: _settings.MaxSweeps);
            var sweep = Descend(states, activeOnly: false, maxSweeps: 1);
            pending = pending.Where((i, q) => !sweep[q] && solving[i].Solution.Sweeps - start[i] < _settings.MaxSweeps).ToList();
        }
    }

    private bool[] Descend(List<ProblemState> states, bool activeOnly, int maxSweeps)
    {
        var lists = states.Select(s => activeOnly ? s.ActiveFeatures() : s.StrongList).ToList();
        var work = WorkFor(states.Count, Math.Max(1, lists.Sum(l => l.Count)));
        work.MaxSweeps = maxSweeps;
        // The per-problem and per-feature data go by handle (one transform, penalty and bounds for the whole solve).
        work.Transform = states[0].Transform.WithProblemMap(states.Select(s => s.Index).ToArray());
        work.Penalty = _penalty;
        work.LowerBound = _settings.Lower;
        work.UpperBound = _settings.Upper;
        int entry = 0;
        for (int b = 0; b < states.Count; b++)
        {
            var s = states[b];
            work.Offsets[b] = entry;
            s.Residual.CopyTo(work.Residual.AsSpan(b * _n, _n));
            s.Weights.CopyTo(work.Weights.AsSpan(b * _n, _n));
            work.WeightedResidualSum[b] = s.WeightedResidualSum;
            s.SetScalars(work, b);
            // Relative to the null deviance (glmnet's thresh), floored: a problem whose training target is constant has a
            // null deviance of 0 (or of rounding size), and a threshold of 0 could never be met.
            work.Tolerance[b] = _settings.Tolerance * Math.Max(s.NullDeviance, MinimumDeviance);
            foreach (int j in lists[b])
            {
                s.FillEntry(work, entry++, j);
            }
        }

        work.Offsets[states.Count] = entry;
        long kernelStart = System.Diagnostics.Stopwatch.GetTimestamp();
        _design.ActiveSetDescent(work);
        _times.Kernel += System.Diagnostics.Stopwatch.GetElapsedTime(kernelStart).TotalSeconds;
        var converged = new bool[states.Count];
        for (int b = 0; b < states.Count; b++)
        {
            var s = states[b];
            for (int k = work.Offsets[b]; k < work.Offsets[b + 1]; k++)
            {
                s.Beta[work.Feature[k]] = work.Beta[k];
            }

            work.Residual.AsSpan(b * _n, _n).CopyTo(s.Residual);
            s.WeightedResidualSum = work.WeightedResidualSum[b];
            s.Solution.Sweeps += work.Sweeps[b];
            _times.Coordinates += (long)work.Sweeps[b] * (work.Offsets[b + 1] - work.Offsets[b]);
            _times.Calls++;
            converged[b] = work.Converged[b];
        }

        return converged;
    }

    /// <summary>The state of one problem along its path.</summary>
    private sealed class ProblemState
    {
        private readonly PathSolver _solver;
        private readonly PathProblem _problem;
        private readonly Standardization _std;
        private readonly int[] _strongPosition;
        private readonly double[] _gradient;
        private readonly List<int> _violators = [];
        private readonly List<int> _candidates = [];
        private readonly double _ridgeScale;
        private readonly double[] _gapBeta;
        private readonly double[] _lowerStd = [];
        private readonly double[] _upperStd = [];

        // The gradient bound: _gradient[j] was exact when the residual was at distance _referenceLength[j] along the
        // chain of residuals the KKT passes saw; the chain ends at _lastResidual, at distance _chainLength.
        private readonly double[] _referenceLength;
        private readonly double[] _lastResidual;
        private double _chainLength;
        private double _lambdaPrevious;
        private double _lambda;

        public ProblemState(PathSolver solver, int index, PathProblem problem, double[] weights, Standardization std)
        {
            _solver = solver;
            _problem = problem;
            _std = std;
            Index = index;
            Weights = weights;
            int p = solver._p, n = solver._n;
            Beta = new double[p];
            _strongPosition = new int[p];
            Array.Fill(_strongPosition, -1);
            _gradient = new double[p];
            _referenceLength = new double[p];
            _lastResidual = new double[n];
            Residual = new double[n];
            double yMean = std.YMean[index];
            for (int i = 0; i < n; i++)
            {
                Residual[i] = solver._y[i] - yMean;
            }

            WeightedResidualSum = System.Numerics.Tensors.TensorPrimitives.Dot(weights, Residual);
            NullDeviance = std.NullDeviance[index];
            // On the internal scale the L1 weight is λ·a/s and the L2 weight λ·(1−a)·ρ unchanged, so with internal λ' = λ/s
            // the ridge scale is ρ' = ρ·s: s itself for DESIGN.md's objective (ρ = 1), and 1/sd of the internal y for glmnet's
            // (ρ = 1/sd of the user's y = 1/(s·sd')).
            _ridgeScale = solver._settings.GlmnetRidgeScaling && NullDeviance > 0 ? 1 / Math.Sqrt(NullDeviance) : solver._yScale;
            // Scales and fills go into a model only from full-data problems; folds do not keep a copy.
            bool model = problem.EvaluationRows.Length == 0;
            Solution = new PathSolution
            {
                NullDeviance = NullDeviance * solver._yScale * solver._yScale,
                YScale = solver._yScale,
                FeatureScale = model ? std.Scale.AsSpan(index * p, p).ToArray() : [],
                FeatureFill = model ? std.ColumnFill.AsSpan(index * p, p).ToArray() : [],
                Imputer = model ? std.Imputer : null,
            };
            UserLambda = problem.Lambda ?? [];
            Lambda = Internal(UserLambda);
            _gapBeta = new double[p];
            if (solver._settings.Lower is not null || solver._settings.Upper is not null)
            {
                _lowerStd = new double[p];
                _upperStd = new double[p];
                for (int j = 0; j < p; j++)
                {
                    (_lowerStd[j], _upperStd[j]) = StandardisedBounds(j, std.Transform.InverseScale[At(j)]);
                }
            }
        }

        public int Index { get; }

        /// <summary>The batch's standardisation (shared by every problem; this one's is problem <see cref="Index"/>).</summary>
        public ColumnTransform Transform => _std.Transform;

        public double[] Weights { get; }

        public double[] Beta { get; }

        public double[] Residual { get; }

        public double WeightedResidualSum { get; set; }

        public double NullDeviance { get; }

        /// <summary>The λ sequence on the internal scale (λ / the y scale).</summary>
        public double[] Lambda { get; private set; }

        /// <summary>The same sequence in the user's units, as reported.</summary>
        public double[] UserLambda { get; private set; }

        private double[] Internal(double[] user) => user.Select(l => l / _solver._yScale).ToArray();

        public int Next { get; private set; }

        public bool Done { get; private set; }

        /// <summary>Why a solution could not be reported in the user's units (a coefficient or intercept overflowed), or null.</summary>
        public string? Overflow { get; private set; }

        public int BlockLength { get; private set; }

        public List<int> StrongList { get; } = [];

        public List<Snapshot> Snapshots { get; } = [];

        public PathSolution Solution { get; }

        private double A => _problem.L1Ratio;

        private int P => _solver._p;

        private long At(int j) => ((long)Index * P) + j;

        private bool Usable(int j) => _std.Transform.InverseScale[At(j)] != 0;

        /// <summary>Takes the gradient at β = 0, sets λ_max and the sequence, and seeds the strong set with unpenalised features.</summary>
        public void Start(ReadOnlySpan<double> gradient)
        {
            gradient.CopyTo(_gradient);
            Residual.CopyTo(_lastResidual, 0);
            for (int j = 0; j < P; j++)
            {
                _referenceLength[j] = Usable(j) ? 0 : double.PositiveInfinity;
            }
            double lambdaMax = 0;
            for (int j = 0; j < P; j++)
            {
                if (!Usable(j))
                {
                    continue;
                }

                double v = _solver._penalty[j];
                if (v > 0)
                {
                    lambdaMax = Math.Max(lambdaMax, Math.Abs(gradient[j]) / (v * Math.Max(A, LambdaSequence.MinimumMixing)));
                }
                else
                {
                    AddStrong(j);
                }
            }

            if (Lambda.Length == 0)
            {
                var settings = _solver._settings;
                double ratio = settings.LambdaMinRatio ?? (_solver._n > P ? 1e-4 : 1e-2);
                // λ_max = 0: no penalised feature can enter at any λ (all constant, or all uncorrelated with y), so
                // every λ has the same solution (the intercept and any unpenalised features): a path of one λ, 0.
                Lambda = lambdaMax > 0 ? LambdaSequence.Default(lambdaMax, settings.NLambda, ratio) : [0.0];
                UserLambda = Lambda.Select(l => l * _solver._yScale).ToArray();
                if (!double.IsFinite(UserLambda[0]))
                {
                    // Possible only for unstandardised features of extreme scale against a y of extreme scale.
                    Overflow = $"λ_max is beyond the range of double precision (the target's scale is {_solver._yScale:G3}; without standardisation the features' scales enter it too); rescale the target or the features, or standardise.";
                    Lambda = [];
                    UserLambda = [];
                }
            }

            _lambdaPrevious = Math.Max(lambdaMax, Lambda.Length > 0 ? Lambda[0] : 0);
            Done = Lambda.Length == 0;
        }

        public int Follows => _problem.Follows;

        /// <summary>Takes a leader's λ sequence (computed from the leader's λ_max).</summary>
        public void UseSequenceOf(ProblemState leader)
        {
            Lambda = leader.Lambda;
            UserLambda = leader.UserLambda;
            _lambdaPrevious = Math.Max(_lambdaPrevious, Lambda.Length > 0 ? Lambda[0] : 0);
            Done = Lambda.Length == 0;
        }

        /// <summary>Ends the path after <paramref name="count"/> λ (its leader stopped early), dropping any solved beyond.</summary>
        public void StopAt(int count)
        {
            if (Lambda.Length > count)
            {
                Lambda = Lambda[..count];
                UserLambda = UserLambda[..count];
            }

            var sol = Solution;
            if (sol.Lambda.Count > count)
            {
                int extra = sol.Lambda.Count - count;
                sol.Lambda.RemoveRange(count, extra);
                sol.Intercept.RemoveRange(count, extra);
                sol.Beta.RemoveRange(count, extra);
                sol.DevRatio.RemoveRange(count, extra);
                sol.Df.RemoveRange(count, extra);
                sol.DualGap.RemoveRange(count, extra);
                if (sol.HeldOutResidual.Count > count)
                {
                    sol.HeldOutResidual.RemoveRange(count, sol.HeldOutResidual.Count - count);
                }
            }

            Next = Math.Min(Next, count);
            Done = Next >= count;
        }

        public void PlanBlock(int block)
        {
            int length = Math.Min(block, Lambda.Length - Next);
            if (_solver._settings.LambdaBlock is null)
            {
                while (length > 1 && Lambda[Next + length - 1] < BlockLambdaFloor * _lambdaPrevious)
                {
                    length--;
                }
            }

            BlockLength = Math.Max(1, length);
            Snapshots.Clear();

            // The strong set is rebuilt each block: features with β ≠ 0, unpenalised features, and those passing the
            // sequential strong rule for the block's smallest λ. Anything it misses is caught by the KKT pass.
            foreach (int j in StrongList)
            {
                _strongPosition[j] = -1;
            }

            StrongList.Clear();

            // Violators of the last KKT check stay: they are exactly what the next λ needs, and dropping them could
            // make the same check fail forever.
            foreach (int j in _violators)
            {
                AddStrong(j);
            }

            // One pass over the features: the active and unpenalised ones join now; those that pass the rule for the
            // block's smallest λ are the only candidates for the later positions of the block.
            _candidates.Clear();
            // Four (or eight) features are tested at once; the rare ones that may pass go through the full test.
            double lowest = A * ((2 * Lambda[Next + BlockLength - 1]) - _lambdaPrevious);
            var penalty = _solver._penalty;
            int width = System.Numerics.Vector<double>.Count;
            var threshold = new System.Numerics.Vector<double>(lowest);
            int j0 = 0;
            for (; j0 <= P - width; j0 += width)
            {
                var v = new System.Numerics.Vector<double>(penalty, j0);
                var pass = System.Numerics.Vector.GreaterThan(System.Numerics.Vector.Abs(new System.Numerics.Vector<double>(_gradient, j0)), threshold * v)
                    | ~System.Numerics.Vector.Equals(new System.Numerics.Vector<double>(Beta, j0), System.Numerics.Vector<double>.Zero)
                    | System.Numerics.Vector.Equals(v, System.Numerics.Vector<double>.Zero);
                if (pass != System.Numerics.Vector<long>.Zero)
                {
                    for (int j = j0; j < j0 + width; j++)
                    {
                        Screen(j, lowest);
                    }
                }
            }

            for (int j = j0; j < P; j++)
            {
                Screen(j, lowest);
            }

            ExtendStrong(0);
        }

        // A feature joins the strong set now (active or unpenalised) or becomes a candidate for the block's later λ.
        private void Screen(int j, double lowest)
        {
            if (!Usable(j))
            {
                return;
            }

            double v = _solver._penalty[j];
            if (Beta[j] != 0 || v == 0)
            {
                AddStrong(j);
            }
            else if (Math.Abs(_gradient[j]) > lowest * v)
            {
                _candidates.Add(j);
            }
        }

        /// <summary>
        /// The gradient magnitude (× v_j) below which the KKT pass at block position t may return an upper bound: at most
        /// <see cref="ExactGradientFraction"/>·λ_t·a, and below the smallest strong-rule limit a(2λ_low − λ_prev) of the
        /// block that follows, whether λ_t is accepted (λ_prev = λ_t) or rejected (λ_prev = the λ before it), so that a
        /// bound standing in for |g_j| never makes feature j a candidate. 0 (every entry exact) when no margin is left.
        /// </summary>
        public double ExactGradientLimit(int t)
        {
            int k = Next + t;
            double lambda = Lambda[k];
            double fraction = ExactGradientFraction;
            if (k + 1 < Lambda.Length)
            {
                fraction = Math.Min(fraction, ((2 * LowestOfBlockFrom(k + 1, lambda)) - lambda) / lambda);
            }

            double before = k > 0 ? Lambda[k - 1] : _lambdaPrevious;
            fraction = Math.Min(fraction, ((2 * LowestOfBlockFrom(k, before)) - before) / lambda);
            // Shrunk a little so that rounding in either comparison cannot turn a bound into a candidate.
            return Math.Max(0, fraction * (1 - 1e-9)) * lambda * A;
        }

        // A lower bound on the smallest λ a block starting at sequence index `start` after λ_prev = `previous` may solve:
        // a block holds at most the solve's longest block, and (unless fixed) stops above the floor after its first λ.
        private double LowestOfBlockFrom(int start, double previous)
        {
            double lowest = Lambda[Math.Min(start + Math.Max(1, _solver._longestBlock) - 1, Lambda.Length - 1)];
            return _solver._settings.LambdaBlock is null ? Math.Max(lowest, Math.Min(Lambda[start], BlockLambdaFloor * previous)) : lowest;
        }

        /// <summary>Sets block position t's λ and grows the strong set to that λ's sequential strong rule.</summary>
        public void SetLambda(int t)
        {
            _lambda = Lambda[Next + t];
            ExtendStrong(t);
        }

        // Sequential strong rule for block position t, from the gradient at the last accepted λ. The sets of a block are
        // nested (S_0 ⊆ S_1 ⊆ …, appended in order), so λ_t is solved on StrongList[..count at t].
        private void ExtendStrong(int t)
        {
            double threshold = A * ((2 * Lambda[Next + t]) - _lambdaPrevious);
            foreach (int j in _candidates)
            {
                if (_strongPosition[j] < 0 && Math.Abs(_gradient[j]) > threshold * _solver._penalty[j])
                {
                    AddStrong(j);
                }
            }
        }

        public List<int> ActiveFeatures()
        {
            var active = new List<int>();
            foreach (int j in StrongList)
            {
                if (Beta[j] != 0 || _solver._penalty[j] == 0)
                {
                    active.Add(j);
                }
            }

            return active;
        }

        /// <summary>This problem's scalars at the current λ, as problem <paramref name="b"/> of a descent batch.</summary>
        public void SetScalars(DescentBatch work, int b)
        {
            work.L1Scale[b] = _lambda * A;
            work.L2Scale[b] = _lambda * (1 - A) * _ridgeScale;
            work.TargetScale[b] = _solver._yScale;
        }

        public void FillEntry(DescentBatch work, int k, int j)
        {
            long at = At(j);
            work.Feature[k] = j;
            work.Beta[k] = Beta[j];
            work.WeightedSum[k] = _std.WeightedSumAt(at);
            work.Curvature[k] = _std.CurvatureAt(at);
        }

        // β̃ = β / (inv·s_y) (inv = 1/sd when standardising, s_y the y scale): the descent's formula, for the duality gap.
        private (double Lower, double Upper) StandardisedBounds(int j, double inv)
        {
            var s = _solver._settings;
            double lower = s.Lower is null ? double.NegativeInfinity : s.Lower[j];
            double upper = s.Upper is null ? double.PositiveInfinity : s.Upper[j];
            return (DescentBatch.StandardisedBound(lower, inv, _solver._yScale), DescentBatch.StandardisedBound(upper, inv, _solver._yScale));
        }

        public void TakeSnapshot(int t)
        {
            var beta = new double[StrongList.Count];
            for (int k = 0; k < beta.Length; k++)
            {
                beta[k] = Beta[StrongList[k]];
            }

            Snapshots.Add(new Snapshot((double[])Residual.Clone(), beta, StrongList.Count, WeightedResidualSum));
        }

        /// <summary>
        /// Marks the features whose KKT condition at some λ of the block the bound cannot certify, and the strong set
        /// (whose gradient the duality gap needs). An unmarked feature has |g_j| ≤ λ·a·v_j at every λ of the block for certain.
        /// </summary>
        public void MarkUncertain(bool[] needed)
        {
            int blockLength = BlockLength;
            Span<double> distance = stackalloc double[blockLength];
            Span<double> limit = stackalloc double[blockLength];
            for (int t = 0; t < blockLength; t++)
            {
                distance[t] = WeightedDistance(Snapshots[t].Residual, _lastResidual);
                limit[t] = Lambda[Next + t] * A * (1 - BoundMargin);
            }

            foreach (int j in StrongList)
            {
                needed[j] = true;
            }

            // Unusable (constant) features have a reference length of +∞, so they are never marked here.
            var curvature = _std.Curvature;
            var penalty = _solver._penalty;
            long offset = (long)Index * P;
            int width = System.Numerics.Vector<double>.Count;
            int j0 = 0;
            if (curvature is null)
            {
                // Standardised columns (‖x̃_j‖_W = 1): test four or eight features at a time.
                var chain = new System.Numerics.Vector<double>(_chainLength);
                for (; j0 <= P - width; j0 += width)
                {
                    var known = System.Numerics.Vector.Abs(new System.Numerics.Vector<double>(_gradient, j0))
                        + chain - new System.Numerics.Vector<double>(_referenceLength, j0);
                    var v = new System.Numerics.Vector<double>(penalty, j0);
                    var over = System.Numerics.Vector<long>.Zero;
                    for (int t = 0; t < blockLength; t++)
                    {
                        over |= System.Numerics.Vector.GreaterThan(known + new System.Numerics.Vector<double>(distance[t]), v * limit[t]);
                    }

                    if (over != System.Numerics.Vector<long>.Zero)
                    {
                        for (int l = 0; l < width; l++)
                        {
                            needed[j0 + l] |= over[l] != 0;
                        }
                    }
                }
            }

            for (int j = j0; j < P; j++)
            {
                double norm = curvature is null ? 1 : Math.Sqrt(curvature[offset + j]);
                double known = Math.Abs(_gradient[j]) + (norm * (_chainLength - _referenceLength[j]));
                for (int t = 0; t < blockLength; t++)
                {
                    if (known + (norm * distance[t]) > limit[t] * penalty[j])
                    {
                        needed[j] = true;
                        break;
                    }
                }
            }
        }

        private double WeightedDistance(double[] a, double[] b)
        {
            double sum = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = a[i] - b[i];
                sum += Weights[i] * d * d;
            }

            return Math.Sqrt(sum);
        }

        /// <summary>
        /// Checks the block's solutions against the pass's gradients; accepts up to the first violation. Returns how many
        /// were accepted. Features the pass skipped were certified by their bound.
        /// </summary>
        public int Validate(KktPass pass, int q0)
        {
            int accepted = BlockLength;
            for (int t = 0; t < BlockLength; t++)
            {
                var gradient = pass.Column(q0 + t);
                double lambda = Lambda[Next + t];
                var violators = Violators(pass, gradient, lambda, Snapshots[t].StrongCount);
                if (violators.Count > 0)
                {
                    Restore(Snapshots[t]);
                    _violators.AddRange(violators);
                    foreach (int j in violators)
                    {
                        AddStrong(j);
                    }

                    accepted = t;
                    break;
                }

                Accept(pass, gradient, lambda, UserLambda[Next + t], Snapshots[t]);
                _violators.Clear();
                if (Done)
                {
                    return t + 1;
                }
            }

            // The path goes on from the last accepted solution, or from the one just restored: its gradients become the
            // reference of every computed feature, and its residual the end of the chain.
            int from = Math.Min(accepted, BlockLength - 1);
            var fromResidual = Snapshots[from].Residual;
            _chainLength += WeightedDistance(fromResidual, _lastResidual);
            fromResidual.CopyTo(_lastResidual, 0);
            var reference = pass.Column(q0 + from);
            for (int k = 0; k < pass.Count; k++)
            {
                int j = pass.Feature(k);
                if (Usable(j))
                {
                    _gradient[j] = reference[k];
                    _referenceLength[j] = _chainLength;
                }
            }

            Next += accepted;
            Done = Next >= Lambda.Length;
            return accepted;
        }

        // Computed features outside λ's strong set (the first strongCount of StrongList) whose KKT condition fails.
        // The limit test comes first: it is the one that almost always ends the check.
        private List<int> Violators(KktPass pass, ReadOnlySpan<double> gradient, double lambda, int strongCount)
        {
            var violators = new List<int>();
            var s = _solver._settings;
            var penalty = _solver._penalty;
            var features = pass.Features;
            double scale = lambda * A;
            for (int k = 0; k < gradient.Length; k++)
            {
                int j = features is null ? k : features[k];
                double gj = gradient[k];
                double limit = scale * penalty[j];
                if (Math.Abs(gj) <= limit)
                {
                    continue;
                }

                int position = _strongPosition[j];
                if ((position >= 0 && position < strongCount) || !Usable(j))
                {
                    continue;
                }

                bool up = gj > limit && (s.Upper is null || s.Upper[j] > 0);
                bool down = gj < -limit && (s.Lower is null || s.Lower[j] < 0);
                if (up || down)
                {
                    violators.Add(j);
                }
            }

            return violators;
        }

        private void Restore(Snapshot snap)
        {
            for (int k = 0; k < snap.StrongCount; k++)
            {
                Beta[StrongList[k]] = snap.Beta[k];
            }

            // Features that joined the strong set at later block positions were 0 at this λ.
            for (int k = snap.StrongCount; k < StrongList.Count; k++)
            {
                Beta[StrongList[k]] = 0;
            }

            snap.Residual.CopyTo(Residual, 0);
            WeightedResidualSum = snap.WeightedResidualSum;
        }

        private void Accept(KktPass pass, ReadOnlySpan<double> gradient, double lambda, double userLambda, Snapshot snap)
        {
            _lambdaPrevious = lambda;
            var sol = Solution;
            double rss = 0;
            for (int i = 0; i < snap.Residual.Length; i++)
            {
                rss += Weights[i] * snap.Residual[i] * snap.Residual[i];
            }

            var original = new List<(int J, double B)>();
            double intercept = _std.YMean[Index] * _solver._yScale;
            for (int k = 0; k < snap.StrongCount; k++)
            {
                int j = StrongList[k];
                double beta = snap.Beta[k];
                _gapBeta[j] = beta;
                if (beta != 0)
                {
                    long at = At(j);
                    double b = beta * _std.Transform.InverseScale[at] * _solver._yScale;
                    original.Add((j, b));
                    intercept -= b * _std.Transform.Centre[at];
                    if (!double.IsFinite(b) && Overflow is null)
                    {
                        Overflow = $"The coefficient of feature {j + 1} at λ = {userLambda:G4} is beyond the range of double precision (the target's scale is {_solver._yScale:G3}, the feature's sd {_std.Scale[at]:G3}); rescale the target or the feature.";
                    }
                }
            }

            if (!double.IsFinite(intercept) && Overflow is null)
            {
                Overflow = $"The intercept at λ = {userLambda:G4} is beyond the range of double precision (the target's scale is {_solver._yScale:G3}); rescale the target or the features.";
            }

            double gap = DualityGap.Compute(pass.Features, gradient, _gapBeta, _solver._penalty, lambda, A, _ridgeScale, _lowerStd, _upperStd, rss);
            for (int k = 0; k < snap.StrongCount; k++)
            {
                _gapBeta[StrongList[k]] = 0;
            }

            original.Sort((x, y) => x.J.CompareTo(y.J));
            sol.Lambda.Add(userLambda);
            sol.Intercept.Add(_solver._settings.Intercept ? intercept : 0);
            sol.Beta.Add(new SparseCoefficients(original.Select(o => o.J).ToArray(), original.Select(o => o.B).ToArray()));
            double devRatio = NullDeviance > 0 ? 1 - (rss / NullDeviance) : 0;
            double previousRatio = sol.DevRatio.Count > 0 ? sol.DevRatio[^1] : 0;
            sol.DevRatio.Add(devRatio);
            sol.Df.Add(original.Count);
            sol.DualGap.Add(NullDeviance > 0 ? gap / NullDeviance : 0);
            if (_problem.EvaluationRows.Length > 0)
            {
                sol.HeldOutResidual.Add(_problem.EvaluationRows.Select(i => snap.Residual[i]).ToArray());
            }

            if (_problem.EarlyStop && !_solver._settings.FullPath && sol.Lambda.Count >= EarlyStopMinimumLambdas
                && ((devRatio - previousRatio < EarlyStopRelativeGain * devRatio) || devRatio > EarlyStopMaximumRatio))
            {
                Done = true;
            }
        }

        private void AddStrong(int j)
        {
            if (_strongPosition[j] < 0)
            {
                _strongPosition[j] = StrongList.Count;
                StrongList.Add(j);
            }
        }
    }

    private sealed record Snapshot(double[] Residual, double[] Beta, int StrongCount, double WeightedResidualSum);
}
