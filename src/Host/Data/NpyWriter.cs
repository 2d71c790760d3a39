using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>Writes a matrix as a NumPy <c>.npy</c> (format 1.0): little-endian float64, Fortran (column-major) order.</summary>
internal static class NpyWriter
{
    /// <summary>
    /// Writes <paramref name="x"/> column by column; missing cells become NaN (which <see cref="NpyReader"/> reads back
    /// as missing). The data starts at a multiple of 64 bytes, as NumPy aligns it.
    /// </summary>
    public static void WriteFortran(IColumnSource x, Stream stream)
    {
        int n = x.Rows, p = x.Columns;
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f8', 'fortran_order': True, 'shape': ({n}, {p}), }}");
        int unpadded = 10 + dict.Length + 1;
        int headerLength = dict.Length + 1 + ((64 - (unpadded % 64)) % 64);
        var header = new byte[10 + headerLength];
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(header, 1);
        header[6] = 1;
        header[7] = 0;
        header[8] = (byte)(headerLength & 0xFF);
        header[9] = (byte)(headerLength >> 8);
        header.AsSpan(10).Fill((byte)' ');
        Encoding.ASCII.GetBytes(dict).CopyTo(header, 10);
        header[^1] = (byte)'\n';
        stream.Write(header);

        var scratch = new double[n];
        var column = new double[n];
        for (int j = 0; j < p; j++)
        {
            x.Column(j, scratch).CopyTo(column);
            foreach (int i in x.MissingRows(j))
            {
                column[i] = double.NaN;
            }

            stream.Write(MemoryMarshal.AsBytes(column.AsSpan()));
        }
    }
}
