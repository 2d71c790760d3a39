using System.Buffers.Binary;
using System.Security.Cryptography;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// Reads a model written by <see cref="ModelWriter"/>. The reader never loads types or runs code from the file; it
/// checks the magic bytes, refuses a newer major version, verifies the SHA-256 checksum before decoding, checks
/// every length and count against the bytes that remain before allocating, skips unknown sections, and validates the
/// decoded model. Any defect ends in <see cref="ModelFormatException"/>.
/// </summary>
/// <remarks>
/// The file stores <see cref="EnetModel.FeatureScale"/> only for the features that have a stored coefficient at some λ
/// of some path (the only scales prediction, the report and <c>inspect</c> use); the model read back holds
/// <see cref="double.NaN"/> as the scale of every other feature.
/// </remarks>
public static class ModelReader
{
    private const int HashBufferSize = 1 << 16;

    /// <summary>Reads a model file.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>The model, satisfying every invariant the writer enforces; scales of features without any coefficient are NaN.</returns>
    /// <exception cref="ModelFormatException">The file is not a readable model; the message names the file and the defect.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (for example it does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static EnetModel Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
        {
            throw new ModelFormatException("--model needs a file name, got an empty string.");
        }

        if (Directory.Exists(path))
        {
            throw new ModelFormatException($"The model '{path}' is a folder, not a model file.");
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new ModelFormatException($"The model '{path}' does not exist.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ModelFormatException($"The model '{path}' does not exist (its folder does not).");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ModelFormatException($"Cannot read the model '{path}': permission denied.");
        }

        using var owned = file;
        try
        {
            // A FIFO or a process substitution (<(…)) cannot seek: Read(Stream) copies it to memory first.
            return file.CanSeek ? ReadSeekable(file) : Read(file);
        }
        catch (ModelFormatException e)
        {
            throw new ModelFormatException($"Cannot read the model '{path}'. {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads a model from a stream, from its current position to its end. A stream that cannot seek is first copied to
    /// memory (the checksum is verified before decoding, which needs two passes).
    /// </summary>
    /// <param name="stream">The source; left open.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The bytes are not a readable model.</exception>
    public static EnetModel Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            return ReadSeekable(stream);
        }

        // Look at the magic bytes before copying, so that piping in something that is not a model fails at once.
        Span<byte> magic = stackalloc byte[ModelFormat.Magic.Length];
        int got = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        using var copy = new MemoryStream();
        copy.Write(magic[..got]);
        if (magic[..got].SequenceEqual(ModelFormat.Magic))
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        return ReadSeekable(copy);
    }

    private static EnetModel ReadSeekable(Stream stream)
    {
        try
        {
            return ReadCore(stream);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or IndexOutOfRangeException
            or InvalidOperationException or FormatException or EndOfStreamException or InvalidCastException)
        {
            // Every defect should be caught by an explicit check; this keeps the promise of one exception type if not.
            throw new ModelFormatException("The model file is damaged: it could not be decoded.", e);
        }
    }

    private static EnetModel ReadCore(Stream stream)
    {
        long start = stream.Position;
        long length = stream.Length - start;
        Span<byte> header = stackalloc byte[ModelFormat.HeaderSize];
        int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        int compared = Math.Min(got, ModelFormat.Magic.Length);
        if (!header[..compared].SequenceEqual(ModelFormat.Magic[..compared]))
        {
            throw new ModelFormatException("This is not a GpuEnet model file (it does not start with the GpuEnet magic bytes).");
        }

        if (got < header.Length)
        {
            throw new ModelFormatException("The model file is truncated: it ends inside its header.");
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        if (major > ModelFormat.Major)
        {
            throw new ModelFormatException(
                $"The model was written in model format version {major}.{minor} by a newer GpuEnet; this GpuEnet reads format version {ModelFormat.Major}.x only. Upgrade GpuEnet to read it.");
        }

        if (major < ModelFormat.Major)
        {
            throw new ModelFormatException($"The model file is damaged: it claims model format version {major}.{minor}, which never existed.");
        }

        if (length < ModelFormat.HeaderSize + ModelFormat.SectionHeaderSize + ModelFormat.TrailerSize)
        {
            throw new ModelFormatException("The model file is truncated: it is too short to hold a model.");
        }

        VerifyChecksum(stream, start, length);
        stream.Position = start + ModelFormat.HeaderSize;
        var parts = new Parts(allowTrailing: minor > ModelFormat.Minor, fileBytes: length);
        long end = start + length - ModelFormat.TrailerSize;
        Span<byte> sectionHeader = stackalloc byte[ModelFormat.SectionHeaderSize];
        while (true)
        {
            long remaining = end - stream.Position;
            if (remaining < ModelFormat.SectionHeaderSize)
            {
                throw new ModelFormatException("The model file is damaged: its list of sections has no end marker.");
            }

            stream.ReadExactly(sectionHeader);
            uint tag = BinaryPrimitives.ReadUInt32LittleEndian(sectionHeader);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(sectionHeader[4..]);
            remaining -= ModelFormat.SectionHeaderSize;
            string name = ModelFormat.TagName(tag);
            if (size > (ulong)remaining)
            {
                throw new ModelFormatException(
                    $"The model file is damaged: section {name} claims {size} bytes but only {remaining} remain.");
            }

            if (size > (ulong)Array.MaxLength)
            {
                throw new ModelFormatException($"The model file has a section ({name}) too large for this reader ({size} bytes).");
            }

            if (tag == ModelFormat.TagEnd)
            {
                if (size != 0 && !parts.AllowTrailing)
                {
                    throw new ModelFormatException("The model file is damaged: its end marker has contents.");
                }

                if (size != (ulong)remaining)
                {
                    throw new ModelFormatException("The model file is damaged: bytes follow its end marker.");
                }

                break;
            }

            byte[] payload = new byte[(int)size];
            stream.ReadExactly(payload);
            parts.Add(tag, name, payload);
        }

        return parts.Build();
    }

    private static void VerifyChecksum(Stream stream, long start, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        stream.Position = start;
        long left = length - ModelFormat.TrailerSize;
        byte[] buffer = new byte[(int)Math.Min(HashBufferSize, left)];
        while (left > 0)
        {
            int chunk = (int)Math.Min(buffer.Length, left);
            stream.ReadExactly(buffer, 0, chunk);
            hash.AppendData(buffer, 0, chunk);
            left -= chunk;
        }

        Span<byte> expected = stackalloc byte[ModelFormat.TrailerSize];
        Span<byte> actual = stackalloc byte[ModelFormat.TrailerSize];
        stream.ReadExactly(expected);
        hash.GetHashAndReset(actual);
        if (!expected.SequenceEqual(actual))
        {
            throw new ModelFormatException(
                "The model file is damaged or truncated: its checksum does not match its contents.");
        }
    }

    /// <summary>The decoded sections, assembled into a model once the end marker is reached.</summary>
    private sealed class Parts(bool allowTrailing, long fileBytes)
    {
        private readonly HashSet<uint> _seen = [];
        private int _p = -1;
        private PathParts?[] _paths = [];
        private Selection? _selection;
        private string _target = "";
        private string[]? _features;
        private FeaturePreprocessing? _preprocessing;
        private bool _inputsAreFeatures;
        private double[]? _scale;
        private double[]? _stability;
        private ModelFamily _family = ModelFamily.Gaussian;
        private ClassLabels? _labels;
        private byte[]? _measures;
        private TrainingInfo? _training;
        private CellImputerModel? _imputer;

        public bool AllowTrailing => allowTrailing;

        public void Add(uint tag, string name, byte[] payload)
        {
            var r = new SectionReader(payload, name);
            if (tag == ModelFormat.TagModel)
            {
                Once(tag, name);
                ReadModel(ref r);
            }
            else if (_p < 0 && IsKnown(tag))
            {
                throw new ModelFormatException($"The model file is damaged: section {name} comes before section MODL.");
            }
            else if (tag == ModelFormat.TagFeatures)
            {
                Once(tag, name);
                int count = r.Count(1, "feature names");
                if (count != _p)
                {
                    throw r.Damaged($"it holds {count} names for {_p} features");
                }

                var features = new string[count];
                for (int j = 0; j < count; j++)
                {
                    features[j] = r.Str();
                }

                _features = features;
            }
            else if (tag == ModelFormat.TagPreprocessing)
            {
                Once(tag, name);
                ReadPreprocessing(ref r);
            }
            else if (tag == ModelFormat.TagScale)
            {
                Once(tag, name);
                int count = r.Count(0, "feature scales");
                if (count != _p)
                {
                    throw r.Damaged($"it is for {count} features, the model has {_p}");
                }

                // Only the features with a stored coefficient have a scale; which ones is known once every COEF is read.
                int stored = r.Count(sizeof(double), "stored feature scales");
                if (stored > _p)
                {
                    throw r.Damaged($"it holds {stored} scales for {_p} features");
                }

                _scale = r.F64s(stored);
            }
            else if (tag == ModelFormat.TagStability)
            {
                Once(tag, name);
                int count = r.Count(0, "stability frequencies");
                if (count != _p)
                {
                    throw r.Damaged($"it holds {count} stability frequencies for {_p} features");
                }

                _stability = ReadVector(ref r, count, 0.0, "stability frequencies");
            }
            else if (tag == ModelFormat.TagPath)
            {
                ReadPath(ref r);
            }
            else if (tag == ModelFormat.TagCoefficients)
            {
                ReadCoefficients(ref r);
            }
            else if (tag == ModelFormat.TagTraining)
            {
                Once(tag, name);
                ReadTraining(ref r);
            }
            else if (tag == ModelFormat.TagFamily)
            {
                Once(tag, name);
                ReadFamily(ref r);
            }
            else if (tag == ModelFormat.TagImputer)
            {
                Once(tag, name);
                ReadImputer(ref r);
            }
            else
            {
                // An unknown section, from a later minor version: skipped by design.
                return;
            }

            r.End(allowTrailing);
        }

        public EnetModel Build()
        {
            Require(ModelFormat.TagModel);
            Require(ModelFormat.TagFeatures);
            Require(ModelFormat.TagPreprocessing);
            Require(ModelFormat.TagScale);
            Require(ModelFormat.TagTraining);
            var paths = new EnetPath[_paths.Length];
            for (int i = 0; i < paths.Length; i++)
            {
                PathParts? part = _paths[i] ?? throw new ModelFormatException($"The model file is damaged: path {i} is missing.");
                if (part.Filled != part.Beta.Length)
                {
                    throw new ModelFormatException(
                        $"The model file is damaged: path {i} has coefficients for {part.Filled} of its {part.Beta.Length} λ values.");
                }

                paths[i] = part.ToPath();
                if (_measures is not null && paths[i].Cv is { } cv)
                {
                    if (_measures[i] == ModelFormat.NoMeasure)
                    {
                        throw new ModelFormatException($"The model file is damaged: path {i} has a CV curve but section FAML gives it no measure.");
                    }

                    paths[i].Cv = new CvCurve
                    {
                        Measure = (CvMeasure)_measures[i],
                        Cvm = cv.Cvm,
                        Cvsd = cv.Cvsd,
                        LambdaMin = cv.LambdaMin,
                        Lambda1se = cv.Lambda1se,
                        IndexMin = cv.IndexMin,
                        Index1se = cv.Index1se,
                    };
                }
            }

            FeaturePreprocessing prep = _preprocessing!;
            if ((_imputer is not null) != (prep.Impute is ImputeStrategy.Knn or ImputeStrategy.Regression)
                || (_imputer is not null && _imputer.Method != prep.Impute))
            {
                throw new ModelFormatException($"The model file is damaged: its imputation is {prep.Impute.ToString().ToLowerInvariant()} but its IMPU section {(_imputer is null ? "is missing" : $"is for {_imputer.Method.ToString().ToLowerInvariant()}")}.");
            }

            prep = new FeaturePreprocessing
            {
                InputColumns = _inputsAreFeatures ? _features![..prep.InputColumns.Length] : prep.InputColumns,
                Impute = prep.Impute,
                FillValues = prep.FillValues,
                IndicatorColumns = prep.IndicatorColumns,
                Imputer = _imputer,
            };

            var model = new EnetModel
            {
                Features = _features!,
                Preprocessing = prep,
                Paths = paths,
                Selected = _selection!,
                Training = _training!,
                FeatureScale = ExpandScales(paths),
                StabilityFrequency = _stability,
                Target = _target,
                Family = _family,
                Labels = _labels,
            };
            string? problem = ModelInvariants.FindProblem(model);
            if (problem is not null)
            {
                throw new ModelFormatException($"The model file is damaged: {problem}.");
            }

            return model;
        }

        /// <summary>
        /// The SCAL values belong, in order, to the features with a stored coefficient somewhere (every index was range
        /// checked when its COEF section was read); every other feature's scale is not stored and reads as NaN.
        /// </summary>
        private double[] ExpandScales(EnetPath[] paths)
        {
            bool[] used = ModelFormat.FeaturesWithCoefficients(_p, paths);
            double[] stored = _scale!;
            var scale = new double[_p];
            int o = 0;
            for (int j = 0; j < _p; j++)
            {
                if (used[j])
                {
                    if (o == stored.Length)
                    {
                        throw new ModelFormatException(
                            $"The model file is damaged: section SCAL holds {stored.Length} scales, fewer than the features with coefficients.");
                    }

                    scale[j] = stored[o++];
                }
                else
                {
                    scale[j] = double.NaN;
                }
            }

            if (o != stored.Length)
            {
                throw new ModelFormatException(
                    $"The model file is damaged: section SCAL holds {stored.Length} scales for {o} features with coefficients.");
            }

            return scale;
        }

        /// <summary>
        /// A vector of <paramref name="n"/> entries stored as its differences from a default (see the writer): mode 0
        /// lists the positions holding a value, mode 1 the positions holding the default; then the values, in order.
        /// </summary>
        private static double[] ReadVector(ref SectionReader r, int n, double defaultValue, string what)
        {
            byte mode = r.U8();
            if (mode > 1)
            {
                throw r.Damaged($"the {what} have unknown encoding {mode}");
            }

            int listed = r.Count(sizeof(int), $"listed {what}");
            if (listed > n)
            {
                throw r.Damaged($"it lists {listed} positions of {n} {what}");
            }

            int[] positions = r.IncreasingIndices(listed, n, "position", $"of the {what}");

            int stored = mode == 0 ? listed : n - listed;
            if ((ulong)stored * sizeof(double) > (ulong)r.Remaining)
            {
                throw r.Damaged($"it claims {stored} {what}, more than its bytes can hold");
            }

            double[] values = r.F64s(stored);
            var result = new double[n];
            if (mode == 0)
            {
                Array.Fill(result, defaultValue);
                for (int i = 0; i < listed; i++)
                {
                    result[positions[i]] = values[i];
                }
            }
            else
            {
                int next = 0;
                int o = 0;
                for (int j = 0; j < n; j++)
                {
                    if (next < listed && positions[next] == j)
                    {
                        result[j] = defaultValue;
                        next++;
                    }
                    else
                    {
                        result[j] = values[o++];
                    }
                }
            }

            return result;
        }

        // FAML (1.1): family, class labels (binomial), and the CV measure of each path.
        private void ReadFamily(ref SectionReader r)
        {
            byte family = r.U8();
            if (family > (byte)ModelFamily.Binomial)
            {
                throw r.Damaged($"its family code {family} is not 0 (gaussian) or 1 (binomial)");
            }

            _family = (ModelFamily)family;
            if (r.Bool())
            {
                _labels = new ClassLabels(r.Str(), r.Str());
                if (_labels.Negative == _labels.Positive)
                {
                    throw r.Damaged("its two class labels are the same");
                }
            }

            if ((_family == ModelFamily.Binomial) != (_labels is not null))
            {
                throw r.Damaged(_labels is null ? "a binomial model has no class labels" : "a Gaussian model has class labels");
            }

            int count = r.Count(1, "path measures");
            if (count != _paths.Length)
            {
                throw r.Damaged($"it holds measures for {count} paths, the model has {_paths.Length}");
            }

            _measures = new byte[count];
            for (int i = 0; i < count; i++)
            {
                byte m = r.U8();
                if (m > (byte)CvMeasure.Class && m != ModelFormat.NoMeasure)
                {
                    throw r.Damaged($"its measure code {m} of path {i} is unknown");
                }

                _measures[i] = m;
            }
        }

        // IMPU (1.2): see ModelWriter.WriteImputer. Every index is checked against p, every count against the bytes left.
        private void ReadImputer(ref SectionReader r)
        {
            byte method = r.U8();
            if (method == 4)
            {
                int neighbours = r.I32();
                if (neighbours < 1)
                {
                    throw r.Damaged($"its KNN neighbours {neighbours} is below 1");
                }

                int p = r.Count(sizeof(double), "distance weights");
                if (p != _p)
                {
                    throw r.Damaged($"it holds {p} distance weights for {_p} features");
                }

                double[] weights = r.F64s(p);
                int donors = r.Count(0, "donor rows");
                if (p > 0 && (long)donors * p > r.Remaining / sizeof(double))
                {
                    throw r.Damaged($"it claims {donors} donor rows, more than its bytes can hold");
                }

                _imputer = new CellImputerModel
                {
                    Method = ImputeStrategy.Knn,
                    Neighbours = neighbours,
                    ColumnWeights = weights,
                    DonorCount = donors,
                    Donors = r.F64s(donors * p),
                };
                return;
            }

            if (method != 5)
            {
                throw r.Damaged($"its imputer code {method} is not 4 (knn) or 5 (regression)");
            }

            int rounds = r.Count(4, "imputation rounds");
            var all = new FeatureRegression[rounds][];
            for (int k = 0; k < rounds; k++)
            {
                int count = r.Count(4 + 4 + 16, "regression models");
                all[k] = new FeatureRegression[count];
                for (int e = 0; e < count; e++)
                {
                    int feature = r.Index(_p, "an imputed feature");
                    int m = r.Count(4 + 24, "predictors");
                    int[] predictors = r.I32s(m);
                    if (predictors.Any(j => (uint)j >= (uint)_p))
                    {
                        throw r.Damaged($"a predictor of feature {feature} is outside 0..{_p - 1}");
                    }

                    all[k][e] = new FeatureRegression
                    {
                        Feature = feature,
                        Predictors = predictors,
                        Centre = r.F64s(m),
                        InverseScale = r.F64s(m),
                        Coefficients = r.F64s(m),
                        Intercept = r.F64(),
                        ResidualSd = r.F64(),
                    };
                }
            }

            _imputer = new CellImputerModel { Method = ImputeStrategy.Regression, Rounds = all };
        }

        private static bool IsKnown(uint tag) =>
            tag == ModelFormat.TagFeatures || tag == ModelFormat.TagPreprocessing || tag == ModelFormat.TagScale
            || tag == ModelFormat.TagStability || tag == ModelFormat.TagPath || tag == ModelFormat.TagCoefficients
            || tag == ModelFormat.TagTraining || tag == ModelFormat.TagFamily || tag == ModelFormat.TagImputer;

        private void Once(uint tag, string name)
        {
            if (!_seen.Add(tag))
            {
                throw new ModelFormatException($"The model file is damaged: section {name} appears twice.");
            }
        }

        private void Require(uint tag)
        {
            if (!_seen.Contains(tag))
            {
                throw new ModelFormatException(
                    $"The model file is damaged or incomplete: it has no {ModelFormat.TagName(tag)} section.");
            }
        }

        private void ReadModel(ref SectionReader r)
        {
            // Each feature takes at least 1 byte elsewhere in the file (its name's length), each path at least 73 (a
            // PATH section header and its fixed fields); bounding both by the file size keeps every allocation sized
            // from them within a constant multiple of the file size.
            int p = r.Count(0, "features");
            if (p > fileBytes)
            {
                throw r.Damaged($"it claims {p} features, more than the file can hold");
            }

            uint pathCount = r.U32();
            if (pathCount == 0 || (long)pathCount * 73 > fileBytes)
            {
                throw r.Damaged($"it claims {pathCount} paths");
            }

            _p = p;
            _paths = new PathParts?[pathCount];
            int selectedPath = r.Index((int)pathCount, "the selected path");
            int selectedLambda = r.I32();
            SelectionRule rule = r.U8() switch
            {
                0 => SelectionRule.Last,
                1 => SelectionRule.Min,
                2 => SelectionRule.OneSe,
                var b => throw r.Damaged($"selection rule {b} is unknown"),
            };
            _selection = new Selection(selectedPath, selectedLambda, rule);
            _target = r.Str();
        }

        private void ReadPreprocessing(ref SectionReader r)
        {
            ImputeStrategy impute = r.U8() switch
            {
                0 => ImputeStrategy.None,
                1 => ImputeStrategy.Mean,
                2 => ImputeStrategy.Median,
                3 => ImputeStrategy.Mode,
                4 => ImputeStrategy.Knn,
                5 => ImputeStrategy.Regression,
                var b => throw r.Damaged($"impute strategy {b} is unknown"),
            };
            int m = r.Count(0, "input columns");
            if (m > _p)
            {
                throw r.Damaged($"it claims {m} input columns for {_p} features");
            }

            bool sameAsFeatures = r.Bool();
            string[] inputs;
            if (sameAsFeatures)
            {
                inputs = new string[m];
                Array.Fill(inputs, "");
            }
            else
            {
                if ((uint)m > (uint)r.Remaining)
                {
                    throw r.Damaged($"it claims {m} input column names, more than its bytes can hold");
                }

                inputs = new string[m];
                for (int i = 0; i < m; i++)
                {
                    inputs[i] = r.Str();
                }
            }

            double[] fill = ReadVector(ref r, m, double.NaN, "fill values");

            int indicators = r.Count(sizeof(int), "missing indicators");
            int[] indicatorColumns = r.I32s(indicators);
            _inputsAreFeatures = sameAsFeatures;
            _preprocessing = new FeaturePreprocessing
            {
                InputColumns = inputs,
                Impute = impute,
                FillValues = fill,
                IndicatorColumns = indicatorColumns,
            };
        }

        private void ReadPath(ref SectionReader r)
        {
            int index = r.Index(_paths.Length, "path");
            if (_paths[index] is not null)
            {
                throw r.Damaged($"path {index} appears twice");
            }

            double l1Ratio = r.F64();
            double nullDeviance = r.F64();

            // Per λ the section holds λ, intercept, deviance ratio, df and duality gap: 36 bytes.
            int count = r.Count(36, "λ values");
            var part = new PathParts
            {
                L1Ratio = l1Ratio,
                NullDeviance = nullDeviance,
                Lambda = r.F64s(count),
                Intercept = r.F64s(count),
                DevRatio = r.F64s(count),
                Df = r.I32s(count),
                DualGap = r.F64s(count),
                Beta = new SparseCoefficients[count],
            };
            if (r.Bool())
            {
                if ((ulong)count * 16 > (ulong)r.Remaining)
                {
                    throw r.Damaged("its cross-validation curve is cut short");
                }

                part.Cv = new CvCurve
                {
                    Cvm = r.F64s(count),
                    Cvsd = r.F64s(count),
                    LambdaMin = r.F64(),
                    Lambda1se = r.F64(),
                    IndexMin = r.Index(count, "the lambda_min index"),
                    Index1se = r.Index(count, "the lambda_1se index"),
                };
            }

            _paths[index] = part;
        }

        private void ReadCoefficients(ref SectionReader r)
        {
            int index = r.Index(_paths.Length, "path");
            PathParts part = _paths[index] ?? throw r.Damaged($"it comes before the PATH section of path {index}");
            uint first = r.U32();
            if (first != (uint)part.Filled)
            {
                throw r.Damaged($"it starts at λ {first} of path {index}, expected λ {part.Filled}");
            }

            int count = r.Count(sizeof(uint), "λ values");
            if (count > part.Beta.Length - part.Filled)
            {
                throw r.Damaged($"it holds {count} λ values, more than path {index} has left");
            }

            for (int k = 0; k < count; k++)
            {
                int nnz = r.Count(12, "coefficients");
                int[] indices = r.IncreasingIndices(nnz, _p, "coefficient index", $"of λ {part.Filled}");

                part.Beta[part.Filled++] = new SparseCoefficients(indices, r.F64s(nnz));
            }
        }

        private void ReadTraining(ref SectionReader r)
        {
            int n = r.I32();
            int p = r.I32();
            int dropped = r.I32();
            string device = r.Str();
            string precision = r.Str();
            string version = r.Str();
            long utcTicks = r.I64();
            short offsetMinutes = r.I16();
            string fingerprint = r.Str();
            bool standardize = r.Bool();
            bool intercept = r.Bool();
            double load = r.F64();
            double solve = r.F64();
            long offsetTicks = offsetMinutes * TimeSpan.TicksPerMinute;
            long localTicks = utcTicks + offsetTicks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks || Math.Abs(offsetMinutes) > 14 * 60
                || localTicks < DateTime.MinValue.Ticks || localTicks > DateTime.MaxValue.Ticks)
            {
                throw r.Damaged("the training time is out of range");
            }

            _training = new TrainingInfo
            {
                N = n,
                P = p,
                DroppedRows = dropped,
                Device = device,
                Precision = precision,
                SoftwareVersion = version,
                TrainedUtc = new DateTimeOffset(localTicks, TimeSpan.FromTicks(offsetTicks)),
                DataFingerprint = fingerprint,
                Standardize = standardize,
                Intercept = intercept,
                LoadSeconds = load,
                SolveSeconds = solve,
            };
        }
    }

    /// <summary>A path whose coefficient sections are still arriving.</summary>
    private sealed class PathParts
    {
        public required double L1Ratio { get; init; }

        public required double NullDeviance { get; init; }

        public required double[] Lambda { get; init; }

        public required double[] Intercept { get; init; }

        public required double[] DevRatio { get; init; }

        public required int[] Df { get; init; }

        public required double[] DualGap { get; init; }

        public required SparseCoefficients[] Beta { get; init; }

        public CvCurve? Cv { get; set; }

        public int Filled { get; set; }

        public EnetPath ToPath() => new()
        {
            L1Ratio = L1Ratio,
            Lambda = Lambda,
            Intercept = Intercept,
            Beta = Beta,
            DevRatio = DevRatio,
            Df = Df,
            DualGap = DualGap,
            NullDeviance = NullDeviance,
            Cv = Cv,
        };
    }
}
