namespace Vanus.Gateway.Security;

/// <summary>Who sent a request: the token's name and roles (the bootstrap admin, or anyone when authentication is off).</summary>
internal sealed class Caller(string name, IReadOnlyList<Role> roles)
{
    private const string ItemKey = "vanus.caller";

    /// <summary>The caller when authentication is off: every access is allowed.</summary>
    public static readonly Caller Anyone = new("anyone", [Role.Admin]);

    public string Name { get; } = name;

    public IReadOnlyList<Role> Roles { get; } = roles;

    public bool Can(Access access)
    {
        foreach (var role in Roles)
        {
            if (role.Grants(access))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The caller of a request that passed the guard (anyone, when it did not go through one).</summary>
    public static Caller Of(Microsoft.AspNetCore.Http.HttpContext context) => context.Items.TryGetValue(ItemKey, out var caller) && caller is Caller c ? c : Anyone;

    public void AttachTo(Microsoft.AspNetCore.Http.HttpContext context) => context.Items[ItemKey] = this;
}
