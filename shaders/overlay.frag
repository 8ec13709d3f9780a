// Segment labels over a slice: a colour with its own opacity per pixel
// (a light fill, a stronger outline), sampled as it is, never blended
// between neighbouring labels.
uniform sampler2D u_overlay;
in vec2 v_uv;
out vec4 frag_color;

void
main ()
{
  frag_color = texture (u_overlay, v_uv);
}
