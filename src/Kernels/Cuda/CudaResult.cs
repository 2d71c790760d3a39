namespace GpuEnet.Kernels.Cuda;

/// <summary>The CUDA driver API's <c>CUresult</c> codes that GpuEnet treats specially; any other value is passed through.</summary>
internal enum CudaResult
{
    Success = 0,
    InvalidValue = 1,
    OutOfMemory = 2,
    NotInitialized = 3,
    InsufficientDriver = 35,
    NoDevice = 100,
    InvalidPtx = 218,
    UnsupportedPtxVersion = 222,
}

/// <summary><c>CUjit_option</c> values passed to <c>cuModuleLoadDataEx</c>.</summary>
internal enum CudaJitOption
{
    InfoLogBuffer = 3,
    InfoLogBufferSizeBytes = 4,
    ErrorLogBuffer = 5,
    ErrorLogBufferSizeBytes = 6,
}
