using ILGPU;
using ILGPU.Runtime;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// A device buffer that grows to the largest length asked for, with counted copies (<see cref="DeviceTraffic"/>).
/// Optionally keeps a host mirror of what was last uploaded, so that <see cref="UploadIfChanged"/> sends nothing when the
/// host copy is unchanged (the device already holds it).
/// </summary>
internal sealed class DeviceArray<T> : IDisposable
    where T : unmanaged
{
    private readonly Accelerator _accelerator;
    private readonly DeviceTraffic _traffic;
    private MemoryBuffer1D<T, Stride1D.Dense> _buffer;
    private T[] _mirror = [];
    private int _mirrored = -1;

    public DeviceArray(Accelerator accelerator, DeviceTraffic traffic, long length = 1)
    {
        _accelerator = accelerator;
        _traffic = traffic;
        _buffer = accelerator.Allocate1D<T>(Math.Max(1, length));
    }

    private static unsafe int Size => sizeof(T);

    /// <summary>The whole buffer.</summary>
    public ArrayView<T> View => _buffer.View.AsContiguous();

    /// <summary>Grows the buffer (contents are lost) to hold at least <paramref name="length"/> values.</summary>
    public ArrayView<T> Ensure(long length)
    {
        if (_buffer.Length < length)
        {
            _buffer.Dispose();
            _buffer = _accelerator.Allocate1D<T>(Math.Max(length, _buffer.Length * 2));
            _mirrored = -1;
        }

        return View;
    }

    /// <summary>Copies <paramref name="values"/> to the start of the buffer.</summary>
    public ArrayView<T> Upload(ReadOnlySpan<T> values)
    {
        Ensure(Math.Max(1, values.Length));
        if (!values.IsEmpty)
        {
            View.SubView(0, values.Length).CopyFromCPU(values);
            _traffic.ToDevice((long)values.Length * Size);
        }

        _mirrored = -1;
        return View;
    }

    /// <summary>Uploads <paramref name="values"/> unless they equal what the last call of this method sent.</summary>
    public ArrayView<T> UploadIfChanged(ReadOnlySpan<T> values)
    {
        if (_mirrored == values.Length && values.SequenceEqual(_mirror.AsSpan(0, values.Length)))
        {
            return View;
        }

        Upload(values);
        if (_mirror.Length < values.Length)
        {
            _mirror = new T[values.Length];
        }

        values.CopyTo(_mirror);
        _mirrored = values.Length;
        return View;
    }

    /// <summary>Copies the first <paramref name="destination"/>.Length values to the host (and into the mirror, if kept).</summary>
    public void Download(Span<T> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        View.SubView(0, destination.Length).CopyToCPU(destination);
        _traffic.FromDevice((long)destination.Length * Size);
    }

    /// <summary>
    /// Downloads into <paramref name="destination"/> and records it as the mirror: the device holds exactly these values, so
    /// an <see cref="UploadIfChanged"/> of them sends nothing.
    /// </summary>
    public void DownloadMirrored(Span<T> destination)
    {
        Download(destination);
        if (_mirror.Length < destination.Length)
        {
            _mirror = new T[destination.Length];
        }

        destination.CopyTo(_mirror);
        _mirrored = destination.Length;
    }

    public void Dispose() => _buffer.Dispose();
}
