using GpuEnet.Kernels;
using GpuEnet.Solver.Path;
using GpuEnet.Solver.Preprocessing;

namespace GpuEnet.Solver.Binomial;

/// <summary>
/// The logistic Elastic Net path of every problem of a batch over one bound design, by glmnet's proximal Newton method:
/// at each λ an outer loop replaces the loss by its quadratic approximation at the current fit (working weights
/// w·p(1−p), working residual (y − p)/(p(1−p))), and an inner weighted coordinate descent (the backend's
/// <see cref="IBoundDesign.ActiveSetDescent"/>, with the intercept updated after every sweep as glmnet does) solves it on
/// the strong set. A Newton step that would raise the penalised objective is halved until it does not, so no fit can
/// diverge on near-separable data. Every λ ends with a KKT check of all features on the binomial gradient Xᵀ(w∘(y − p))
/// (one batched pass over X for all problems); violators join the strong set and the λ is solved again.
/// Problems advance in lockstep, one λ per round: cross-validation folds follow their full-data fit's λ sequence.
/// </summary>
/// <remarks>
/// Each Newton step needs Σ v x̃_j² and Σ v x̃_j of the strong set under the new working weights v; the contract offers
/// them only through <see cref="IBoundDesign.ColumnMoments"/> over all columns, so each step costs one pass over X
/// (as a KKT pass does). A column-list variant of ColumnMoments would make it O(n·|strong set|).
/// </remarks>
internal sealed class BinomialPathSolver
{
    // glmnet's early stop (glmnet.control: mnlam 5, fdev 1e-5, devmax 0.999).
    private const int EarlyStopMinimumLambdas = 5;
    private const double EarlyStopRelativeGain = 1e-5;
    private const double EarlyStopMaximumRatio = 0.999;

    // Newton steps per λ and step halvings per Newton step: limits no well-posed problem reaches (glmnet: mxit 100).
    private const int MaximumNewtonSteps = 100;
    private const int MaximumHalvings = 40;

    // Coordinate sweeps per descent call between intercept steps: glmnet updates the intercept after every sweep; a few
    // sweeps per call cost far fewer calls and converge to the same point (block coordinate descent).
    private const int SweepsPerCall = 8;

    // Floor of the null loss the tolerance is relative to.
    private const double MinimumLoss = 1e-100;

    private readonly IBoundDesign _design;
    private readonly double[] _y;
    private readonly EnetSettings _settings;
    private readonly IProgress<PathProgress>? _progress;
    private readonly int _n;
    private readonly int _p;
    private readonly double[] _penalty;
    private readonly IKernelBackend? _backend;
    private Standardization? _std;
    private DescentBatch? _work;

    // The strong-set design of the Newton steps' moments, kept while the union of the strong sets is unchanged.
    private IBoundDesign? _strongDesign;
    private int[] _strongPosition = [];

    /// <summary>Creates a solver for targets <paramref name="y"/> coded 0/1 (the second class is 1).</summary>
    /// <param name="design">X bound on the backend.</param>
    /// <param name="y">The target, 0/1.</param>
    /// <param name="settings">What to fit.</param>
    /// <param name="progress">Hears about accepted λ.</param>
    /// <param name="backend">
    /// The backend of <paramref name="design"/>, to bind the strong set's columns as a design of their own for the Newton
    /// steps' moments (null: every Newton step reads all of X).
    /// </param>
    public BinomialPathSolver(IBoundDesign design, double[] y, EnetSettings settings, IProgress<PathProgress>? progress, IKernelBackend? backend = null)
    {
        _design = design;
        _backend = backend;
        _y = y;
        _settings = settings;
        _progress = progress;
        _n = design.Rows;
        _p = design.Columns;
        _penalty = PathSolver.RescaledPenalty(settings.PenaltyFactor, _p);
        foreach (double v in y)
        {
            if (v is not (0 or 1))
            {
                throw new ArgumentException($"A binomial target must be coded 0/1, found {v}.");
            }
        }
    }

    /// <summary>Full passes over X made (moments, Newton-step moments and KKT passes).</summary>
    public int Passes { get; private set; }

    private Standardization Std => _std!;

    public PathSolution[] Solve(IReadOnlyList<PathProblem> problems)
    {
        try
        {
            return SolveAll(problems);
        }
        finally
        {
            ReleaseStrongDesign();
        }
    }

    private PathSolution[] SolveAll(IReadOnlyList<PathProblem> problems)
    {
        int batch = problems.Count;
        var weights = NormalisedWeights(problems);
        var modelProblems = problems.Select(q => q.EvaluationRows.Length == 0).ToArray();
        _std = Standardization.Learn(_design, _y, weights, batch, _settings.Standardize, _settings.Intercept, _settings.Impute, modelProblems, _settings, problems.Select(q => q.Draw).ToArray());
        Passes += 2;
        var states = new ProblemState[batch];
        for (int b = 0; b < batch; b++)
        {
            states[b] = new ProblemState(this, b, problems[b], weights.AsSpan(b * _n, _n).ToArray());
        }

        // The fit at λ = ∞ (intercept and unpenalised features): λ_max comes from its gradient, as in glmnet.
        var all = states.ToList();
        Newton(all);
        Gradient(all, everyColumn: true);
        foreach (var s in states)
        {
            s.StartSequence();
        }

        foreach (var s in states.Where(s => s.Follows >= 0))
        {
            s.UseSequenceOf(states[s.Follows]);
        }

        int total = states.Sum(s => s.Lambda.Length);
        int done = 0;
        for (int k = 0; ; k++)
        {
            var active = states.Where(s => !s.Done).ToList();
            if (active.Count == 0)
            {
                break;
            }

            foreach (var s in active)
            {
                s.BeginLambda(k);
            }

            SolveLambda(active);
            foreach (var s in active)
            {
                s.Accept(k);
                done++;
            }

            foreach (var s in active.Where(s => s.Follows >= 0 && states[s.Follows].Done))
            {
                s.Stop();
            }

            _progress?.Report(new PathProgress(done, total, Passes));
        }

        return states.Select(s => s.Solution).ToArray();
    }

    // Weights per problem (n × B), each column summing to 1; divided first by a power of two near the largest (exact) so
    // that the sum cannot overflow.
    private double[] NormalisedWeights(IReadOnlyList<PathProblem> problems)
    {
        var weights = new double[(long)_n * problems.Count];
        for (int b = 0; b < problems.Count; b++)
        {
            var w = problems[b].Weights;
            double largest = w.Max();
            if (!(largest > 0))
            {
                throw new ArgumentException($"Problem {b + 1} of the batch has no row of positive weight.");
            }

            double scale = Math.ScaleB(1.0, Math.ILogB(largest));
            double sum = w.Sum(v => v / scale);
            for (int i = 0; i < _n; i++)
            {
                weights[((long)b * _n) + i] = w[i] / scale / sum;
            }
        }

        return weights;
    }

    // Newton rounds and KKT checks until no feature outside a problem's strong set violates its KKT condition.
    private void SolveLambda(List<ProblemState> active)
    {
        var pending = active;
        while (pending.Count > 0)
        {
            Newton(pending);
            Gradient(pending, everyColumn: _design.PrefersFullPasses);
            pending = pending.Where(s => s.AddViolators() > 0).ToList();
        }
    }

    // Columns above this share of p are read by a full pass (listing them costs more than it saves).
    private const double ListedShare = 0.8;

    // The binomial gradient G[j, q] = Σ_i w_i (y_i − p_i) x̃_ij into each problem's GradientBuffer: one pass over X. With
    // `everyColumn` false, a column is read only when some problem cannot certify it: its strong features, and every
    // feature whose bound |g_j at its last exact pass| + √(Σ w x̃_j²)·(how far w∘(y − p) has moved since, in the W-norm,
    // summed along the passes) exceeds its KKT limit λ·a·v_j (Cauchy–Schwarz, as the Gaussian driver's bound). A feature
    // that is not read keeps that last exact value, which is below its limit; nothing it certifies can be a violator.
    private void Gradient(List<ProblemState> states, bool everyColumn)
    {
        int count = states.Count;
        var r = new double[(long)_n * count];
        for (int q = 0; q < count; q++)
        {
            states[q].GradientResidual(r.AsSpan(q * _n, _n));
        }

        int[]? columns = null;
        if (!everyColumn)
        {
            var needed = new bool[_p];
            int listed = 0;
            foreach (var state in states)
            {
                listed += state.MarkUncertain(needed);
            }

            columns = listed > ListedShare * _p ? null : Enumerable.Range(0, _p).Where(j => needed[j]).ToArray();
        }

        if (columns is { Length: 0 })
        {
            return; // every problem certifies every column: no pass is needed
        }

        int width = columns?.Length ?? _p;
        var g = new double[(long)width * count];
        _design.BatchedGradient(columns ?? [], r, count, Std.Transform.WithProblemMap(states.Select(s => s.Index).ToArray()), g);
        Passes++;
        for (int q = 0; q < count; q++)
        {
            states[q].TakeGradient(columns, g.AsSpan(q * width, width));
        }
    }

    // Proximal Newton steps until every listed problem's step changes nothing above its tolerance.
    private void Newton(List<ProblemState> states)
    {
        var pending = states;
        for (int step = 0; pending.Count > 0 && step < MaximumNewtonSteps; step++)
        {
            foreach (var s in pending)
            {
                s.BeginNewton();
            }

            WorkingMoments(pending);
            InnerDescent(pending);
            pending = pending.Where(s => !s.EndNewton()).ToList();
        }
    }

    // Σ v x̃² and Σ v x̃ of every strong feature under each problem's working weights v: one pass over the union of the
    // strong sets, bound as a design of its own (or over all of X when that union is most of it, or without a backend).
    private void WorkingMoments(List<ProblemState> states)
    {
        if (states.All(s => s.StrongList.Count == 0))
        {
            return;
        }

        var (design, position) = MomentsDesign(states);
        int count = states.Count;
        int columns = design.Columns;
        long size = (long)columns * count;
        var v = new double[(long)_n * count];
        var centre = new double[size];
        var all = Std.Transform.Centre;
        for (int q = 0; q < count; q++)
        {
            states[q].Working.CopyTo(v.AsSpan(q * _n, _n));
            long offset = (long)states[q].Index * _p;
            for (int c = 0; c < columns; c++)
            {
                centre[((long)q * columns) + c] = all[offset + (position is null ? c : ((ColumnSubset)design.Source).Columns[c])];
            }
        }

        var present = new double[size];
        var sum = new double[size];
        var squares = new double[size];
        design.ColumnMoments(v, count, centre, present, sum, squares);
        Passes += position is null ? 1 : 0;
        for (int q = 0; q < count; q++)
        {
            states[q].TakeMoments(present.AsSpan(q * columns, columns), sum.AsSpan(q * columns, columns), squares.AsSpan(q * columns, columns), position);
        }
    }

    // The design the moments are read from, and each feature's column in it (null: the full design, column j is j).
    private (IBoundDesign Design, int[]? Position) MomentsDesign(List<ProblemState> states)
    {
        if (_backend is null)
        {
            return (_design, null);
        }

        var union = new SortedSet<int>();
        foreach (var s in states)
        {
            union.UnionWith(s.StrongList);
        }

        if (union.Count > _p / 2)
        {
            return (_design, null);
        }

        if (_strongDesign is not null && union.Count <= _strongDesign.Columns && union.All(j => _strongPosition[j] >= 0))
        {
            return (_strongDesign, _strongPosition);
        }

        ReleaseStrongDesign();
        var columns = union.ToArray();
        _strongDesign = _backend.Bind(new ColumnSubset(_design.Source, columns));
        _strongPosition = new int[_p];
        Array.Fill(_strongPosition, -1);
        for (int c = 0; c < columns.Length; c++)
        {
            _strongPosition[columns[c]] = c;
        }

        return (_strongDesign, _strongPosition);
    }

    // The strong-set design's traffic counts as the solve's.
    private void ReleaseStrongDesign()
    {
        if (_strongDesign is not null)
        {
            _design.Traffic.Add(_strongDesign.Traffic);
            _strongDesign.Dispose();
            _strongDesign = null;
        }
    }

    // Coordinate descent on each problem's quadratic approximation: a few sweeps over the strong set per kernel call, then
    // the intercept's exact step, until a sweep and the intercept step both change nothing above the tolerance.
    private void InnerDescent(List<ProblemState> states)
    {
        var pending = states;
        int sweeps = 0;
        while (pending.Count > 0 && sweeps < _settings.MaxSweeps)
        {
            sweeps += SweepsPerCall;
            int capacity = Math.Max(1, pending.Sum(s => s.StrongList.Count));
            if (_work is null || _work.Batch != pending.Count)
            {
                _work = new DescentBatch(_n, pending.Count, capacity);
            }

            var work = _work;
            work.EnsureCapacity(capacity);
            work.MaxSweeps = SweepsPerCall;
            // Per-problem and per-feature data go by handle: the batch's transform, the penalty factors, the bounds.
            work.Transform = Std.Transform.WithProblemMap(pending.Select(s => s.Index).ToArray());
            work.Penalty = _penalty;
            work.LowerBound = _settings.Lower;
            work.UpperBound = _settings.Upper;
            int entry = 0;
            for (int b = 0; b < pending.Count; b++)
            {
                var s = pending[b];
                work.Offsets[b] = entry;
                work.L1Scale[b] = s.CurrentLambda * s.A;
                work.L2Scale[b] = s.CurrentLambda * (1 - s.A);
                work.TargetScale[b] = 1; // the binomial target is not rescaled
                s.Residual.CopyTo(work.Residual.AsSpan(b * _n, _n));
                s.Working.CopyTo(work.Weights.AsSpan(b * _n, _n));
                work.WeightedResidualSum[b] = System.Numerics.Tensors.TensorPrimitives.Dot(s.Working, s.Residual);
                work.Tolerance[b] = s.Tolerance;
                for (int position = 0; position < s.StrongList.Count; position++)
                {
                    FillEntry(work, entry++, s, position);
                }
            }

            work.Offsets[pending.Count] = entry;
            _design.ActiveSetDescent(work);
            var converged = new bool[pending.Count];
            for (int b = 0; b < pending.Count; b++)
            {
                var s = pending[b];
                for (int k = work.Offsets[b]; k < work.Offsets[b + 1]; k++)
                {
                    s.Beta[work.Feature[k]] = work.Beta[k];
                }

                work.Residual.AsSpan(b * _n, _n).CopyTo(s.Residual);
                s.Solution.Sweeps += work.Sweeps[b];
                bool interceptSettled = s.InterceptStep();
                converged[b] = work.Converged[b] && interceptSettled;
            }

            pending = pending.Where((_, b) => !converged[b]).ToList();
        }
    }

    // Every DescentBatch entry is written here and only here: the entry layout of the kernel contract is being changed
    // (transform handle, per-problem λ, per-feature penalty and bounds), and this is the one place to adapt.
    private void FillEntry(DescentBatch work, int k, ProblemState s, int position)
    {
        int j = s.StrongList[position];
        work.Feature[k] = j;
        work.Beta[k] = s.Beta[j];
        work.Curvature[k] = s.Curvature[position];
        work.WeightedSum[k] = s.WeightedSum[position];
    }

    /// <summary>The state of one problem along its path.</summary>
    private sealed class ProblemState
    {
        private readonly BinomialPathSolver _solver;
        private readonly PathProblem _problem;
        private readonly double[] _eta;
        private readonly double[] _startEta;
        private readonly double[] _startResidual;
        private readonly double[] _startBeta;
        private readonly int[] _strongPosition;
        private readonly double _nullLoss;
        private double _intercept;
        private double _startIntercept;
        private double _workingTotal;

        // The gradient bound's chain: Σ over passes of ‖Δ(y − p)‖_W, its value when each feature was last read exactly,
        // and y − p at the last pass.
        private double _chain;
        private readonly double[] _chainAt;
        private readonly double[] _lastError;

        public ProblemState(BinomialPathSolver solver, int index, PathProblem problem, double[] weights)
        {
            _solver = solver;
            _problem = problem;
            Index = index;
            Weights = weights;
            int n = solver._n, p = solver._p;
            A = problem.L1Ratio;
            Follows = problem.Follows;
            Beta = new double[p];
            _startBeta = new double[p];
            GradientBuffer = new double[p];
            _chainAt = new double[p];
            _lastError = new double[n];
            _strongPosition = new int[p];
            Array.Fill(_strongPosition, -1);
            _eta = new double[n];
            _startEta = new double[n];
            _startResidual = new double[n];
            Residual = new double[n];
            Working = new double[n];

            double mean = 0, trainWeight = 0;
            for (int i = 0; i < n; i++)
            {
                mean += weights[i] * solver._y[i];
                trainWeight += weights[i];
            }

            mean /= trainWeight;
            bool intercept = solver._settings.Intercept;
            if (intercept && (mean <= 0 || mean >= 1))
            {
                throw new ArgumentException(problem.EvaluationRows.Length > 0
                    ? $"The training rows of a cross-validation fold hold only one class ({(mean >= 1 ? 1 : 0)}); use fewer folds or stratify the fold ids."
                    : "The target holds only one class (among rows of positive weight), so there is nothing to model.");
            }

            _intercept = intercept ? Logistic.Logit(mean) : 0;
            Array.Fill(_eta, _intercept);
            _nullLoss = Loss();
            Tolerance = solver._settings.Tolerance * Math.Max(_nullLoss, MinimumLoss);
            bool model = problem.EvaluationRows.Length == 0;
            var std = solver.Std;
            Solution = new PathSolution
            {
                NullDeviance = 2 * _nullLoss,
                FeatureScale = model ? std.Scale.AsSpan(index * p, p).ToArray() : [],
                FeatureFill = model ? std.ColumnFill.AsSpan(index * p, p).ToArray() : [],
                Imputer = model ? std.Imputer : null,
            };
            UserLambda = problem.Lambda ?? [];
            Lambda = UserLambda;

            // Unpenalised usable features are in the model from the start.
            for (int j = 0; j < p; j++)
            {
                if (Usable(j) && solver._penalty[j] == 0)
                {
                    AddStrong(j);
                }
            }
        }

        public int Index { get; }

        public double A { get; }

        public int Follows { get; }

        public double[] Weights { get; }

        public double[] Beta { get; }

        /// <summary>Working residual r (n): (y − p)/(p(1−p)) at the start of a Newton step, then updated by descent.</summary>
        public double[] Residual { get; }

        /// <summary>Working weights v = w·p(1−p) (n).</summary>
        public double[] Working { get; }

        /// <summary>The gradient of the last KKT pass (p).</summary>
        public double[] GradientBuffer { get; }

        public List<int> StrongList { get; } = [];

        /// <summary>Σ v x̃² per strong-set position, for the current working weights.</summary>
        public List<double> Curvature { get; } = [];

        /// <summary>Σ v x̃ per strong-set position, for the current working weights.</summary>
        public List<double> WeightedSum { get; } = [];

        public double Tolerance { get; }

        public double CurrentLambda { get; private set; }

        public double[] Lambda { get; private set; }

        public double[] UserLambda { get; private set; }

        public bool Done { get; private set; }

        public PathSolution Solution { get; }

        private int P => _solver._p;

        public long At(int j) => ((long)Index * P) + j;

        private bool Usable(int j) => _solver.Std.Transform.InverseScale[At(j)] != 0;

        public (double Lower, double Upper) StandardisedBounds(int j)
        {
            var s = _solver._settings;
            double inv = _solver.Std.Transform.InverseScale[At(j)];
            double lower = s.Lower is null ? double.NegativeInfinity : s.Lower[j];
            double upper = s.Upper is null ? double.PositiveInfinity : s.Upper[j];
            return (DescentBatch.StandardisedBound(lower, inv, 1), DescentBatch.StandardisedBound(upper, inv, 1));
        }

        /// <summary>λ_max from the gradient at the λ = ∞ fit, and the default sequence when none was given.</summary>
        public void StartSequence()
        {
            if (Lambda.Length > 0)
            {
                return;
            }

            double lambdaMax = 0;
            for (int j = 0; j < P; j++)
            {
                double v = _solver._penalty[j];
                if (Usable(j) && v > 0)
                {
                    lambdaMax = Math.Max(lambdaMax, Math.Abs(GradientBuffer[j]) / (v * Math.Max(A, LambdaSequence.MinimumMixing)));
                }
            }

            var settings = _solver._settings;
            double ratio = settings.LambdaMinRatio ?? (_solver._n > P ? 1e-4 : 1e-2);
            Lambda = lambdaMax > 0 ? LambdaSequence.Default(lambdaMax, settings.NLambda, ratio) : [0.0];
            UserLambda = Lambda;
        }

        public void UseSequenceOf(ProblemState leader)
        {
            Lambda = leader.Lambda;
            UserLambda = leader.UserLambda;
        }

        public void Stop() => Done = true;

        /// <summary>Sets λ_k and grows the strong set by the sequential strong rule from the last gradient.</summary>
        public void BeginLambda(int k)
        {
            double previous = k == 0 ? Lambda[0] : Lambda[k - 1];
            CurrentLambda = Lambda[k];
            double threshold = A * ((2 * CurrentLambda) - previous);
            for (int j = 0; j < P; j++)
            {
                if (_strongPosition[j] < 0 && Usable(j) && Math.Abs(GradientBuffer[j]) > threshold * _solver._penalty[j])
                {
                    AddStrong(j);
                }
            }
        }

        /// <summary>Adds the features outside the strong set that violate their KKT condition at λ; returns how many.</summary>
        public int AddViolators()
        {
            ReadOnlySpan<double> gradient = GradientBuffer;
            var s = _solver._settings;
            double scale = CurrentLambda * A;
            int added = 0;
            for (int j = 0; j < P; j++)
            {
                double g = gradient[j];
                double limit = scale * _solver._penalty[j];
                if (_strongPosition[j] >= 0 || Math.Abs(g) <= limit || !Usable(j))
                {
                    continue;
                }

                bool up = g > limit && (s.Upper is null || s.Upper[j] > 0);
                bool down = g < -limit && (s.Lower is null || s.Lower[j] < 0);
                if (up || down)
                {
                    AddStrong(j);
                    added++;
                }
            }

            return added;
        }

        private void AddStrong(int j)
        {
            if (_strongPosition[j] < 0)
            {
                _strongPosition[j] = StrongList.Count;
                StrongList.Add(j);
                Curvature.Add(0);
                WeightedSum.Add(0);
            }
        }

        /// <summary>
        /// w∘(y − p) on the training rows, the residual whose product with X̃ is the binomial gradient; also advances the
        /// chain: how far y − p has moved (W-norm) since the last pass, added to the total since the first.
        /// </summary>
        public void GradientResidual(Span<double> r)
        {
            var y = _solver._y;
            double moved = 0;
            for (int i = 0; i < r.Length; i++)
            {
                double e = Weights[i] > 0 ? y[i] - Logistic.Probability(_eta[i]) : 0;
                double d = e - _lastError[i];
                moved += Weights[i] * d * d;
                _lastError[i] = e;
                r[i] = Weights[i] * e;
            }

            // Rounded up a little, so that the bound stays an upper bound whatever the rounding of these sums.
            _chain += (Math.Sqrt(moved) * (1 + 1e-12)) + 1e-300;
        }

        /// <summary>Marks the columns this problem must read exactly in the coming pass; returns how many it marked newly.</summary>
        public int MarkUncertain(bool[] needed)
        {
            double scale = CurrentLambda * A;
            int marked = 0;
            for (int j = 0; j < P; j++)
            {
                if (needed[j] || (!Usable(j) && _strongPosition[j] < 0))
                {
                    continue;
                }

                double bound = Math.Abs(GradientBuffer[j]) + (Math.Sqrt(_solver.Std.CurvatureAt(At(j))) * (_chain - _chainAt[j]) * (1 + 1e-12));
                if (_strongPosition[j] >= 0 || !(bound < scale * _solver._penalty[j]))
                {
                    needed[j] = true;
                    marked++;
                }
            }

            return marked;
        }

        /// <summary>Takes this problem's gradient of the pass over <paramref name="columns"/> (null: every column).</summary>
        public void TakeGradient(int[]? columns, ReadOnlySpan<double> g)
        {
            if (columns is null)
            {
                g.CopyTo(GradientBuffer);
                Array.Fill(_chainAt, _chain);
                return;
            }

            for (int k = 0; k < columns.Length; k++)
            {
                GradientBuffer[columns[k]] = g[k];
                _chainAt[columns[k]] = _chain;
            }
        }

        /// <summary>The quadratic approximation at the current fit: working weights and residuals; the step's start is saved.</summary>
        public void BeginNewton()
        {
            var y = _solver._y;
            double total = 0;
            for (int i = 0; i < _eta.Length; i++)
            {
                if (Weights[i] > 0)
                {
                    // Curvature from the clamped probability (glmnet's pmin); the gradient from the exact one, so that the
                    // fixed point is the true optimum.
                    double pc = Logistic.ClampedProbability(_eta[i]);
                    double variance = pc * (1 - pc);
                    Working[i] = Weights[i] * variance;
                    Residual[i] = (y[i] - Logistic.Probability(_eta[i])) / variance;
                    total += Working[i];
                }
                else
                {
                    Working[i] = 0;
                    Residual[i] = 0;
                }
            }

            _workingTotal = total;
            Residual.CopyTo(_startResidual, 0);
            _eta.CopyTo(_startEta, 0);
            Beta.CopyTo(_startBeta, 0);
            _startIntercept = _intercept;
        }

        /// <summary>
        /// Curvature Σ v x̃² and Σ v x̃ of the strong features from the working-weight moments around the centres; feature j's
        /// moments are at <paramref name="position"/>[j] (null: at j).
        /// </summary>
        public void TakeMoments(ReadOnlySpan<double> present, ReadOnlySpan<double> sum, ReadOnlySpan<double> squares, int[]? position)
        {
            var t = _solver.Std.Transform;
            for (int k = 0; k < StrongList.Count; k++)
            {
                int j0 = StrongList[k];
                int j = position is null ? j0 : position[j0];
                long at = At(j0);
                double c = t.Centre[at], inv = t.InverseScale[at], f = t.Fill[at];
                // Missing cells take the fill f: their weight is the total less the present weight. With per-cell fills
                // each cell takes f plus its own value, summed over the column's cells with the working weights.
                double first, second;
                if (t.Cells is { } cells)
                {
                    var (cellFirst, cellSecond) = cells.CentredMoments(Index, j0, Working, c - f);
                    first = sum[j] - (c * present[j]) + cellFirst;
                    second = squares[j] + cellSecond;
                }
                else
                {
                    double missing = Math.Max(0, _workingTotal - present[j]);
                    first = sum[j] - (c * present[j]) + (missing * (f - c));
                    second = squares[j] + (missing * (f - c) * (f - c));
                }

                WeightedSum[k] = inv * first;
                Curvature[k] = inv * inv * second;
            }
        }

        /// <summary>The intercept's exact step on the quadratic approximation; true when it is below the tolerance.</summary>
        public bool InterceptStep()
        {
            if (!_solver._settings.Intercept || !(_workingTotal > 0))
            {
                return true;
            }

            double d = System.Numerics.Tensors.TensorPrimitives.Dot(Working, Residual) / _workingTotal;
            _intercept += d;
            for (int i = 0; i < Residual.Length; i++)
            {
                Residual[i] -= d;
            }

            return _workingTotal * d * d < Tolerance;
        }

        /// <summary>
        /// Applies the Newton step (η moves by the residual's change on every row, held-out rows included), halving it
        /// while it raises the penalised objective. True when the step changed nothing above the tolerance.
        /// </summary>
        public bool EndNewton()
        {
            for (int i = 0; i < _eta.Length; i++)
            {
                _eta[i] = _startEta[i] + (_startResidual[i] - Residual[i]);
            }

            double before = Objective(_startEta, _startBeta);
            double after = Objective(_eta, Beta);
            double t = 1;
            for (int h = 0; h < MaximumHalvings && !(after <= before + (1e-13 * Math.Abs(before))); h++)
            {
                t *= 0.5;
                for (int i = 0; i < _eta.Length; i++)
                {
                    _eta[i] = _startEta[i] + (t * (_startResidual[i] - Residual[i]));
                }

                foreach (int j in StrongList)
                {
                    Beta[j] = _startBeta[j] + (0.5 * (Beta[j] - _startBeta[j]));
                }

                _intercept = _startIntercept + (0.5 * (_intercept - _startIntercept));
                after = Objective(_eta, Beta);
            }

            double change = _workingTotal * (_intercept - _startIntercept) * (_intercept - _startIntercept);
            for (int k = 0; k < StrongList.Count; k++)
            {
                int j = StrongList[k];
                double d = Beta[j] - _startBeta[j];
                change = Math.Max(change, Curvature[k] * d * d);
            }

            return change < Tolerance;
        }

        // Σ w ℓ(y, η) over the training rows.
        private double Loss() => Loss(_eta);

        private double Loss(double[] eta)
        {
            var y = _solver._y;
            double loss = 0;
            for (int i = 0; i < eta.Length; i++)
            {
                if (Weights[i] > 0)
                {
                    loss += Weights[i] * Logistic.Loss(y[i], eta[i]);
                }
            }

            return loss;
        }

        private double Penalty(double[] beta)
        {
            double penalty = 0;
            foreach (int j in StrongList)
            {
                double b = beta[j];
                penalty += _solver._penalty[j] * ((A * Math.Abs(b)) + ((1 - A) / 2 * b * b));
            }

            return CurrentLambda * penalty;
        }

        private double Objective(double[] eta, double[] beta) => Loss(eta) + Penalty(beta);

        /// <summary>Records the solution at λ_k (the last KKT pass's gradient is this fit's) and applies glmnet's early stop.</summary>
        public void Accept(int k)
        {
            var sol = Solution;
            var t = _solver.Std.Transform;
            var index = new List<int>();
            var value = new List<double>();
            double intercept = _intercept;
            foreach (int j in StrongList.Order())
            {
                if (Beta[j] != 0)
                {
                    long at = At(j);
                    double b = Beta[j] * t.InverseScale[at];
                    index.Add(j);
                    value.Add(b);
                    intercept -= b * t.Centre[at];
                }
            }

            double loss = Loss();
            double devRatio = _nullLoss > 0 ? 1 - (loss / _nullLoss) : 0;
            double previousRatio = sol.DevRatio.Count > 0 ? sol.DevRatio[^1] : 0;
            sol.Lambda.Add(UserLambda[k]);
            sol.Intercept.Add(_solver._settings.Intercept ? intercept : 0);
            sol.Beta.Add(new Model.SparseCoefficients([.. index], [.. value]));
            sol.DevRatio.Add(devRatio);
            sol.Df.Add(index.Count);
            sol.DualGap.Add(DualGap() / Math.Max(_nullLoss, MinimumLoss));
            if (_problem.EvaluationRows.Length > 0)
            {
                sol.HeldOutLink.Add(_problem.EvaluationRows.Select(i => _eta[i]).ToArray());
            }

            bool last = k + 1 >= Lambda.Length;
            bool saturated = _problem.EarlyStop && !_solver._settings.FullPath && sol.Lambda.Count >= EarlyStopMinimumLambdas
                && ((devRatio - previousRatio < EarlyStopRelativeGain * devRatio) || devRatio > EarlyStopMaximumRatio);
            Done = last || saturated;
        }

        // The logistic duality gap: the penalty's share from the shared Elastic Net terms, the loss's as Σ w·KL(q ‖ p) at
        // the dual point q = (1 − s)·y + s·p.
        private double DualGap()
        {
            var s = _solver._settings;
            var y = _solver._y;
            double[] lower = [], upper = [];
            if (s.Lower is not null || s.Upper is not null)
            {
                lower = new double[P];
                upper = new double[P];
                for (int j = 0; j < P; j++)
                {
                    (lower[j], upper[j]) = StandardisedBounds(j);
                }
            }

            return DualityGap.Compute(null, GradientBuffer, Beta, _solver._penalty, CurrentLambda, A, 1, lower, upper, scale =>
            {
                double gap = 0;
                for (int i = 0; i < _eta.Length; i++)
                {
                    if (Weights[i] > 0)
                    {
                        double q = ((1 - scale) * y[i]) + (scale * Logistic.Probability(_eta[i]));
                        gap += Weights[i] * Logistic.Divergence(q, _eta[i]);
                    }
                }

                return gap;
            });
        }
    }
}
