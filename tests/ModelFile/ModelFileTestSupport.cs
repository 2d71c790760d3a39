using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.ModelFile;

internal static class ModelFileTestSupport
{
    public static byte[] Bytes(EnetModel model)
    {
        using var stream = new MemoryStream();
        ModelWriter.Write(model, stream);
        return stream.ToArray();
    }

    public static EnetModel Read(byte[] bytes) => ModelReader.Read(new MemoryStream(bytes, writable: false));

    public static string[] InputColumns(EnetModel model) => model.Preprocessing.InputColumns;

    /// <summary>Random raw rows over the model's input columns, some values missing where a fill value exists.</summary>
    public static double[][] Rows(EnetModel model, int count, int seed)
    {
        var rng = new Random(seed);
        double[] fill = model.Preprocessing.FillValues;
        var rows = new double[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new double[fill.Length];
            for (int c = 0; c < fill.Length; c++)
            {
                rows[i][c] = !double.IsNaN(fill[c]) && rng.Next(5) == 0 ? double.NaN : (rng.NextDouble() * 4) - 2;
            }
        }

        return rows;
    }

    /// <summary>A stream that fails after a number of bytes, as a full disk would.</summary>
    public sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter)
            {
                throw new IOException("Simulated failure: no space left on device.");
            }

            _written += buffer.Length;
            inner.Write(buffer);
        }
    }

    /// <summary>A read-only stream that cannot seek, like a pipe.</summary>
    public sealed class PipeStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data, writable: false);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
