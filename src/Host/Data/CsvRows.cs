using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace GpuEnet.Host.Data;

/// <summary>What the header of a delimited file decided, shared by every part parsed from it.</summary>
/// <param name="File">The file, for messages.</param>
/// <param name="Delimiter">Comma or tab.</param>
/// <param name="Header">Column names in file order.</param>
/// <param name="Roles">Per column: a feature index (≥ 0), or <see cref="CsvRows.TargetRole"/>, <see cref="CsvRows.WeightsRole"/>, <see cref="CsvRows.SkipRole"/>.</param>
/// <param name="Features">Feature names in feature order.</param>
/// <param name="WantTarget">A target was asked for (a column or a target file).</param>
/// <param name="HasWeights">A weights column is read.</param>
internal sealed record CsvLayout(string File, byte Delimiter, List<string> Header, int[] Roles, List<string> Features, bool WantTarget, bool HasWeights)
{
    /// <summary>Text class labels of the target (binomial family), or null: the target is numeric.</summary>
    public TargetLabels? Labels { get; init; }
}

/// <summary>
/// The data rows of one stretch of a delimited file (whole lines), parsed into row-major blocks. Every non-blank line
/// is kept with its target and weight (NaN when missing); dropping rows, a target file and error reporting are the
/// joiner's, which knows each part's place in the file.
/// </summary>
/// <remarks>
/// The fast path finds delimiters and quotes 32 bytes at a time (a bit mask per block, walked bit by bit) and parses
/// numbers with <see cref="FastDouble"/>. Any line it cannot take as it is — a quote, a wrong number of fields, a cell
/// that is neither a number nor missing — is parsed again by the exact path, the reader's reference behaviour, which
/// accepts quoted fields and otherwise raises the error; the first such error stops the part.
/// </remarks>
internal sealed class CsvRows
{
    /// <summary>Role of the target column.</summary>
    public const int TargetRole = -1;

    /// <summary>Role of the weights column.</summary>
    public const int WeightsRole = -2;

    /// <summary>Role of a skipped column.</summary>
    public const int SkipRole = -3;

    // Doubles per row-major block (8 MiB): large enough to amortise, small enough to keep the transpose peak tight.
    private const int BlockValues = 1 << 20;

    private readonly CsvLayout _layout;
    private readonly int _p;
    private readonly int _rowsPerBlock;
    private readonly List<double[]> _blocks = [];
    private readonly List<int> _blockStarts = [];
    private readonly List<double> _targets = [];
    private readonly List<double> _weights = [];
    private readonly List<long> _missing = [];
    private readonly List<int> _pending = [];
    private double[] _block;
    private int _rowInBlock;

    /// <summary>Starts an empty part.</summary>
    /// <param name="layout">The header's decisions.</param>
    /// <param name="firstLine">The file line number of the part's first line, when known (else set <see cref="FirstLine"/> later).</param>
    public CsvRows(CsvLayout layout, long firstLine)
    {
        _layout = layout;
        _p = layout.Features.Count;
        _rowsPerBlock = Math.Max(1, BlockValues / Math.Max(1, _p));
        _block = NewBlock(Math.Min(_rowsPerBlock, FirstBlockRows));
        FirstLine = firstLine;
    }

    /// <summary>Tests: force the scalar delimiter search (compared with the vector one); flows to the caller's threads.</summary>
    internal static readonly AsyncLocal<bool> ForceScalar = new();

    /// <summary>File line number of this part's first line.</summary>
    public long FirstLine { get; set; }

    /// <summary>Lines consumed, blank ones included.</summary>
    public long Lines { get; private set; }

    /// <summary>Data rows (non-blank lines) stored.</summary>
    public int DataRows { get; private set; }

    /// <summary>Target per data row, NaN when missing or not read.</summary>
    public List<double> Targets => _targets;

    /// <summary>Weight per data row, NaN when missing (only with a weights column).</summary>
    public List<double> Weights => _weights;

    /// <summary>Missing feature cells, <c>(row &lt;&lt; 32) | feature</c>, in row order.</summary>
    public List<long> MissingCells => _missing;

    /// <summary>The first line the exact path refused: 1-based line and data row within the part, and its bytes.</summary>
    public (long Line, int DataRow, byte[] Text)? Error { get; private set; }

    /// <summary>Where data row <paramref name="r"/> (0-based) is stored: a block and the offset of its first value.</summary>
    public (double[] Block, int Offset) RowAt(int r)
    {
        int k = _blockStarts.BinarySearch(r);
        k = k >= 0 ? k : ~k - 1;
        return (_blocks[k], (r - _blockStarts[k]) * _p);
    }

    // Blocks start small and double up to 8 MiB: a part of a small file (or one of many parts) costs little memory.
    private const int FirstBlockRows = 16;

    private double[] NewBlock(int rows)
    {
        var block = GC.AllocateUninitializedArray<double>(checked(rows * _p)); // every cell of a stored row is written
        _blocks.Add(block);
        _blockStarts.Add(DataRows);
        _rowInBlock = 0;
        return block;
    }

    /// <summary>Takes one line (without its terminator); false once a line was refused (see <see cref="Error"/>).</summary>
    public bool Line(ReadOnlySpan<byte> line)
    {
        Lines++;
        if (line.IsEmpty)
        {
            return true;
        }

        var row = _block.AsSpan(_rowInBlock * _p, _p);
        _pending.Clear();
        if (!FastLine(line, row, out double target, out double weight))
        {
            _pending.Clear();
            try
            {
                ExactLine(_layout, line, Lines, row, _pending, out target, out weight);
            }
            catch (Cli.CliException)
            {
                Error = (Lines, DataRows + 1, line.ToArray());
                return false;
            }
        }

        foreach (int f in _pending)
        {
            _missing.Add(((long)DataRows << 32) | (uint)f);
        }

        _targets.Add(target);
        if (_layout.HasWeights)
        {
            _weights.Add(weight);
        }

        DataRows++;
        if (_p > 0 && ++_rowInBlock * _p == _block.Length)
        {
            _block = NewBlock(Math.Min(_rowsPerBlock, 2 * _rowInBlock));
        }

        return true;
    }

    /// <summary>Parses a line the fast path refused, with its file line number: raises the error the exact path finds.</summary>
    public static void Throw(CsvLayout layout, byte[] text, long lineNo)
    {
        ExactLine(layout, text, lineNo, new double[layout.Features.Count], [], out _, out _);
        throw new InvalidOperationException("A refused line parsed on its second reading.");
    }

    private bool FastLine(ReadOnlySpan<byte> line, Span<double> row, out double target, out double weight)
    {
        target = double.NaN;
        weight = 1;
        int[] roles = _layout.Roles;
        int last = roles.Length - 1;
        byte delimiter = _layout.Delimiter;
        ref byte r = ref MemoryMarshal.GetReference(line);
        int length = line.Length;
        int c = 0, cellStart = 0, i = 0;
        bool scalar = ForceScalar.Value;
        bool vector256 = Vector256.IsHardwareAccelerated && !scalar;
        bool vector128 = Vector128.IsHardwareAccelerated && !scalar;
        while (i < length)
        {
            uint mask;
            int step;
            if (vector256 && i + 32 <= length)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)i);
                mask = (Vector256.Equals(v, Vector256.Create(delimiter)) | Vector256.Equals(v, Vector256.Create((byte)'"'))).ExtractMostSignificantBits();
                step = 32;
            }
            else if (vector128 && i + 16 <= length)
            {
                var v = Vector128.LoadUnsafe(ref r, (nuint)i);
                mask = (Vector128.Equals(v, Vector128.Create(delimiter)) | Vector128.Equals(v, Vector128.Create((byte)'"'))).ExtractMostSignificantBits();
                step = 16;
            }
            else
            {
                byte b = Unsafe.Add(ref r, i);
                mask = b == delimiter || b == (byte)'"' ? 1u : 0u;
                step = 1;
            }

            while (mask != 0)
            {
                int k = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                if (Unsafe.Add(ref r, k) == (byte)'"' || c == last)
                {
                    return false; // quoted fields, or more fields than the header: the exact path decides
                }

                if (!Cell(line.Slice(cellStart, k - cellStart), roles[c], row, ref target, ref weight))
                {
                    return false;
                }

                c++;
                cellStart = k + 1;
            }

            i += step;
        }

        return c == last && Cell(line[cellStart..], roles[c], row, ref target, ref weight);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Cell(ReadOnlySpan<byte> cell, int role, Span<double> row, ref double target, ref double weight)
    {
        if (role >= 0)
        {
            if (FastDouble.TryParse(cell, out double v))
            {
                row[role] = v;
                return true;
            }

            return SlowFeature(cell, role, row);
        }

        if (role == SkipRole)
        {
            return true;
        }

        var kind = FastDouble.TryParse(cell, out double value) ? CellKind.Number : NumberText.Parse(cell, out value);
        if (role == TargetRole)
        {
            if (_layout.Labels is not null)
            {
                return false; // a class target may be text: the exact path reads it through the labels
            }

            target = kind == CellKind.Missing ? double.NaN : value;
            return kind is CellKind.Number or CellKind.Missing;
        }

        weight = kind == CellKind.Missing ? double.NaN : value;
        return kind == CellKind.Missing || (kind == CellKind.Number && value >= 0);
    }

    private bool SlowFeature(ReadOnlySpan<byte> cell, int role, Span<double> row)
    {
        switch (NumberText.Parse(cell, out double v))
        {
            case CellKind.Number:
                row[role] = v;
                return true;
            case CellKind.Missing:
                row[role] = 0;
                _pending.Add(role);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The reference parse of one data line: quoted fields allowed; any problem raises its one-line error.</summary>
    private static void ExactLine(CsvLayout layout, ReadOnlySpan<byte> line, long lineNo, Span<double> row, List<int> pendingMissing,
        out double target, out double weight)
    {
        string file = layout.File;
        var header = layout.Header;
        int[] roles = layout.Roles;
        int width = roles.Length;
        target = double.NaN;
        weight = 1;
        if (line.IndexOf((byte)'"') < 0)
        {
            int c = 0;
            var rest = line;
            while (true)
            {
                int k = rest.IndexOf(layout.Delimiter);
                var cell = k < 0 ? rest : rest[..k];
                if (c == width)
                {
                    throw CsvTableReader.TooManyFields(file, lineNo, header);
                }

                Assign(layout, cell, roles[c], header[c], lineNo, row, pendingMissing, ref target, ref weight);
                c++;
                if (k < 0)
                {
                    break;
                }

                rest = rest[(k + 1)..];
            }

            if (c < width)
            {
                throw CsvTableReader.TooFewFields(file, lineNo, header, c);
            }

            return;
        }

        var quoted = new List<string>();
        CsvTableReader.SplitQuoted(line, layout.Delimiter, quoted, file, lineNo);
        if (quoted.Count > width)
        {
            throw CsvTableReader.TooManyFields(file, lineNo, header);
        }

        if (quoted.Count < width)
        {
            throw CsvTableReader.TooFewFields(file, lineNo, header, quoted.Count);
        }

        for (int c = 0; c < width; c++)
        {
            Assign(layout, Encoding.UTF8.GetBytes(quoted[c]), roles[c], header[c], lineNo, row, pendingMissing, ref target, ref weight);
        }
    }

    private static void Assign(CsvLayout layout, ReadOnlySpan<byte> cell, int role, string column, long lineNo, Span<double> row,
        List<int> pendingMissing, ref double target, ref double weight)
    {
        if (role >= 0)
        {
            row[role] = CsvTableReader.Feature(cell, layout.File, lineNo, column, pendingMissing, role);
        }
        else if (role == TargetRole)
        {
            target = layout.Labels is null ? CsvTableReader.Special(cell, layout.File, lineNo, column) : layout.Labels.Read(cell, layout.File, lineNo, column);
        }
        else if (role == WeightsRole)
        {
            weight = CsvTableReader.Weight(cell, layout.File, lineNo, column);
        }
    }
}
