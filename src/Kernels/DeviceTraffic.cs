namespace GpuEnet.Kernels;

/// <summary>
/// Counted work of a bound design: bytes copied host→device and device→host, kernel launches, and bytes of X read by the
/// passes over X (moments and gradients; coordinate-descent steps, which read active columns from cache, are not counted).
/// The SIMD backend counts X bytes too; its host↔device traffic and launches are 0 by definition. Thread-safe.
/// </summary>
public sealed class DeviceTraffic
{
    private long _toDevice;
    private long _fromDevice;
    private long _xRead;
    private long _launches;

    /// <summary>Bytes copied from the host to the device.</summary>
    public long ToDeviceBytes => Interlocked.Read(ref _toDevice);

    /// <summary>Bytes copied from the device to the host.</summary>
    public long FromDeviceBytes => Interlocked.Read(ref _fromDevice);

    /// <summary>Bytes of X read by the passes over X.</summary>
    public long XBytesRead => Interlocked.Read(ref _xRead);

    /// <summary>Kernel launches.</summary>
    public long KernelLaunches => Interlocked.Read(ref _launches);

    internal void ToDevice(long bytes) => Interlocked.Add(ref _toDevice, bytes);

    internal void FromDevice(long bytes) => Interlocked.Add(ref _fromDevice, bytes);

    internal void ReadX(long bytes) => Interlocked.Add(ref _xRead, bytes);

    internal void Launch() => Interlocked.Increment(ref _launches);

    /// <summary>Adds another design's counts to these (totals over the designs a fit or a cross-validation bound).</summary>
    public void Add(DeviceTraffic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ToDevice(other.ToDeviceBytes);
        FromDevice(other.FromDeviceBytes);
        ReadX(other.XBytesRead);
        Interlocked.Add(ref _launches, other.KernelLaunches);
    }

    /// <summary>One line for <c>GPUENET_PROFILE</c>.</summary>
    public override string ToString() =>
        $"to device {ToDeviceBytes:N0} B, from device {FromDeviceBytes:N0} B, X read {XBytesRead:N0} B, kernel launches {KernelLaunches:N0}";
}
