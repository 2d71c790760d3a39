namespace GpuEnet.Kernels.Cuda;

/// <summary>
/// A CUDA driver call failed. The message names the call and the driver's error name (for example
/// <c>cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY</c>) and, where GpuEnet knows more, what was being done.
/// </summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public CudaException()
        : this("A CUDA driver call failed.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public CudaException(string message)
        : base(message)
    {
        Call = string.Empty;
        ErrorName = string.Empty;
    }

    /// <summary>Creates an exception wrapping another.</summary>
    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = string.Empty;
        ErrorName = string.Empty;
    }

    internal CudaException(string call, int code, string errorName, string? detail)
        : base(detail is null ? $"{call} failed: {errorName} ({code})." : $"{call} failed: {errorName} ({code}). {detail}")
    {
        Call = call;
        Code = code;
        ErrorName = errorName;
    }

    /// <summary>The driver function that failed, e.g. <c>cuLaunchKernel</c>; empty when not from a call.</summary>
    public string Call { get; }

    /// <summary>The <c>CUresult</c> value.</summary>
    public int Code { get; }

    /// <summary>The driver's name for <see cref="Code"/>, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</summary>
    public string ErrorName { get; }
}
