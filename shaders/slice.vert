// A textured rectangle, placed in normalised device coordinates.
uniform vec4 u_rect;   // x0, y0, x1, y1 (NDC)
out vec2 v_uv;

void
main ()
{
  vec2 corner = vec2 (gl_VertexID & 1, (gl_VertexID >> 1) & 1);
  // Texture row 0 is the top of the image.
  v_uv = vec2 (corner.x, 1.0 - corner.y);
  gl_Position = vec4 (mix (u_rect.xy, u_rect.zw, corner), 0.0, 1.0);
}
