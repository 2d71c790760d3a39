using System.Text;

namespace GpuEnet.Host.Data;

/// <summary>
/// Reads a class target that may be text (<see cref="DataRequest.TextLabels"/>): numbers stay numbers; text cells are
/// labels, coded while reading in order of appearance and recoded at the end in sorted (ordinal) order. A target must
/// be all numbers or all labels: a mix is an error naming the first cell of the minority kind.
/// </summary>
internal sealed class TargetLabels
{
    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private (long Line, string Cell)? _firstNumber;
    private (long Line, string Cell)? _firstText;

    private readonly Lock _gate = new();

    /// <summary>
    /// The target value of a cell: a number, NaN when missing, or a label's provisional code. Safe from several threads
    /// (the CSV reader parses parts of a file in parallel): a label's code depends on arrival order, but
    /// <see cref="Recode"/> maps codes to sorted positions, so the result does not.
    /// </summary>
    public double Read(ReadOnlySpan<byte> cell, string file, long line, string column)
    {
        lock (_gate)
        {
            return ReadLocked(cell, file, line, column);
        }
    }

    private double ReadLocked(ReadOnlySpan<byte> cell, string file, long line, string column)
    {
        switch (NumberText.Parse(cell, out double v))
        {
            case CellKind.Number:
                _firstNumber = _firstNumber is { } n && n.Line < line ? n : (line, DataErrors.Show(cell));
                Check(file, column);
                return v;
            case CellKind.Missing:
                return double.NaN;
            case CellKind.Infinite:
                throw DataErrors.At(file, line, column, $"the target {DataErrors.Show(cell)} is not a finite number.");
            default:
                _firstText = _firstText is { } t && t.Line < line ? t : (line, DataErrors.Show(cell));
                Check(file, column);
                string label = Encoding.UTF8.GetString(cell).Trim();
                if (!_codes.TryGetValue(label, out int code))
                {
                    code = _codes.Count;
                    _codes[label] = code;
                }

                return code;
        }
    }

    private void Check(string file, string column)
    {
        if (_firstNumber is { } number && _firstText is { } text)
        {
            var later = number.Line > text.Line ? number : text;
            throw DataErrors.At(file, later.Line, column,
                $"the target mixes numbers and text labels ({later.Cell} after {(later == number ? text.Cell : number.Cell)}); a class target is all numbers or all labels.");
        }
    }

    /// <summary>The labels in sorted order, or null when the target held numbers only.</summary>
    public string[]? Sorted => _codes.Count == 0 ? null : [.. _codes.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Recodes provisional codes in <paramref name="y"/> to positions in <see cref="Sorted"/>.</summary>
    public void Recode(double[] y)
    {
        if (Sorted is not { } sorted)
        {
            return;
        }

        var rank = new int[_codes.Count];
        foreach (var (label, code) in _codes)
        {
            rank[code] = Array.IndexOf(sorted, label);
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = rank[(int)y[i]];
        }
    }
}
