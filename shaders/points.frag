// A round, shaded point: a little ball of blood.
uniform vec4 u_color;
layout (location = 0) out vec4 out_color;

void
main ()
{
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot (d, d);
  if (r2 > 1.0)
    discard;
  out_color = vec4 (u_color.rgb * (0.55 + 0.45 * sqrt (1.0 - r2)), 1.0);
}
