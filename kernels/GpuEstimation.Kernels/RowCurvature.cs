namespace GpuEstimation.Kernels;

/// <summary>
/// One row's log-density and its derivatives with respect to the linear predictor η and the model's own parameter α,
/// to the second order, each multiplied by the row's weight (what <see cref="ILinearPredictorModel{TSelf}.Curvature"/>
/// gives the Hessian kernel). A model without α leaves its entries 0.
/// </summary>
public struct RowCurvature
{
    /// <summary>
    /// How many of a linear-predictor model's arguments are its own (values derived from α and the like): arguments
    /// 0 … 3, all that <see cref="ILinearPredictorModel{TSelf}.Curvature"/> may read; the coefficients' arguments come
    /// after them. So a wide design's pass hands Curvature these four in a <see cref="Vec4"/> and keeps the
    /// coefficients in device memory.
    /// </summary>
    public const int OwnArguments = 4;

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

    /// <summary>
    /// The row's score products in place of its second derivatives, for the robust covariance's meat: ∂/∂η · ∂/∂η,
    /// ∂/∂η · ∂/∂α and ∂/∂α · ∂/∂α, each divided by the row's <paramref name="multiplicity"/> (w copies of a row add
    /// w s sᵀ, and the derivatives here are already w s); zeros for a row of multiplicity 0. The value and first
    /// derivatives stay.
    /// </summary>
    public static RowCurvature ScoreProducts(in RowCurvature row, double multiplicity)
    {
        double inverse = multiplicity == 0 ? 0.0 : 1.0 / multiplicity;
        var products = row;
        products.EtaEta = row.Eta * inverse * row.Eta;
        products.EtaExtra = row.Eta * inverse * row.Extra;
        products.ExtraExtra = row.Extra * inverse * row.Extra;
        return products;
    }
}
