namespace GpuEstimation.Kernels;

/// <summary>
/// One row's log-density and its derivatives with respect to the linear predictor η and the model's own parameter α,
/// to the second order, each multiplied by the row's weight (what <see cref="ILinearPredictorModel{TSelf}.Curvature"/>
/// gives the Hessian kernel). A model without α leaves its entries 0.
/// </summary>
public struct RowCurvature
{
    /// <summary>log f.</summary>
    public double Value;

    /// <summary>∂ log f/∂η.</summary>
    public double Eta;

    /// <summary>∂ log f/∂α.</summary>
    public double Extra;

    /// <summary>∂² log f/∂η².</summary>
    public double EtaEta;

    /// <summary>∂² log f/∂η∂α.</summary>
    public double EtaExtra;

    /// <summary>∂² log f/∂α².</summary>
    public double ExtraExtra;
}
