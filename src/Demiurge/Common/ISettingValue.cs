namespace Demiurge.Common;

/// <summary>
/// A value operators write as text in flags and settings (a size, a port range), parsed once when
/// the options are bound (<see cref="SettingValueConverter{T}"/>) and typed everywhere after.
/// </summary>
internal interface ISettingValue<TSelf>
    where TSelf : ISettingValue<TSelf>
{
    /// <summary>How error messages describe the syntax, e.g. "a port range such as 7100-7199".</summary>
    static abstract string Syntax { get; }

    static abstract bool TryParse(string? text, out TSelf value);
}
