(* The realization of Tensor.gemm (extraction/core/Extract.v) on arrays.

   [gemm add mul zero k m kk n a b] is Tensor.gemm for the scalar record [k]
   whose fields [s_add], [s_mul], [s_zero] are [add], [mul], [zero]: for
   [a] of length [m * kk] and [b] of length [kk * n] (row-major), the
   row-major [m x n] list whose entry (i, j) is

     fold_left (fun acc l -> add acc (mul a[i*kk+l] b[l*n+j])) [0; ...; kk-1] zero

   which is [GemmLoops.gemm_loops] (theories/core/GemmLoops.v), proved equal
   to [Tensor.gemm] on such arguments for every scalar record
   ([gemm_loops_eq]: [dot (row i a) (column j b)], summed in increasing [l]
   from [zero]).  Any other lengths raise [Failure]: the oracle only multiplies
   well-shaped matrices (every value is checked against its shape before the
   forward pass), so an ill-shaped call is an internal error, never a silently
   different list.

   Two paths compute that formula:
   - [k] is the oracle's float record (physically equal to the one
     [register_float_ops] received, i.e. [float_ops] of Extract.v, whose
     [s_add], [s_mul], [s_zero] are realized as OCaml's [( +. )], [( *. )]
     and [0.0]): the loop on unboxed float arrays, with [+.] and [*.];
   - any other record: the same loop on ['a array]s with [add] and [mul]. *)

let float_record : Obj.t ref = ref (Obj.repr (ref ()))

(* The oracle's float record (Certigrad_core.float_ops), registered once by
   the oracle before it runs anything. *)
let register_float_ops (k : 'k) : unit = float_record := Obj.repr k

let check_lengths m kk n la lb =
  if la <> m * kk || lb <> kk * n then
    failwith (Printf.sprintf "gemm: ill-shaped arguments (%d entries for %dx%d, %d for %dx%d)"
                la m kk lb kk n)

(* The entries, row-major, as a list built from the last entry back. *)
let gemm_float m kk n (a : float list) (b : float list) : float list =
  let a = Array.of_list a and b = Array.of_list b in
  check_lengths m kk n (Array.length a) (Array.length b);
  (* bt: b's columns, each contiguous: bt.(j*kk + l) = b.(l*n + j) *)
  let bt = Array.make (kk * n) 0.0 in
  for l = 0 to kk - 1 do
    for j = 0 to n - 1 do
      Array.unsafe_set bt (j * kk + l) (Array.unsafe_get b (l * n + j))
    done
  done;
  (* c.(j): entry (i, j) of the current row.  Four columns at a time, each
     entry with its own accumulator summed in increasing l (the same
     additions in the same order as one column at a time; only independent
     entries are interleaved). *)
  let c = Array.make n 0.0 in
  let out = ref [] in
  for i = m - 1 downto 0 do
    let ai = i * kk in
    let j = ref 0 in
    while !j + 3 < n do
      let b0 = !j * kk in
      let b1 = b0 + kk and b2 = b0 + 2 * kk and b3 = b0 + 3 * kk in
      let s0 = ref 0.0 and s1 = ref 0.0 and s2 = ref 0.0 and s3 = ref 0.0 in
      for l = 0 to kk - 1 do
        let x = Array.unsafe_get a (ai + l) in
        s0 := !s0 +. x *. Array.unsafe_get bt (b0 + l);
        s1 := !s1 +. x *. Array.unsafe_get bt (b1 + l);
        s2 := !s2 +. x *. Array.unsafe_get bt (b2 + l);
        s3 := !s3 +. x *. Array.unsafe_get bt (b3 + l)
      done;
      c.(!j) <- !s0; c.(!j + 1) <- !s1; c.(!j + 2) <- !s2; c.(!j + 3) <- !s3;
      j := !j + 4
    done;
    while !j < n do
      let bj = !j * kk in
      let s = ref 0.0 in
      for l = 0 to kk - 1 do
        s := !s +. Array.unsafe_get a (ai + l) *. Array.unsafe_get bt (bj + l)
      done;
      c.(!j) <- !s;
      incr j
    done;
    for j = n - 1 downto 0 do out := c.(j) :: !out done
  done;
  !out

let gemm_generic add mul zero m kk n (a : 'a list) (b : 'a list) : 'a list =
  let a = Array.of_list a and b = Array.of_list b in
  check_lengths m kk n (Array.length a) (Array.length b);
  let out = ref [] in
  for i = m - 1 downto 0 do
    for j = n - 1 downto 0 do
      let acc = ref zero in
      for l = 0 to kk - 1 do
        acc := add !acc (mul a.(i * kk + l) b.(l * n + j))
      done;
      out := !acc :: !out
    done
  done;
  !out

let gemm (add : 'a -> 'a -> 'a) (mul : 'a -> 'a -> 'a) (zero : 'a) (k : 'k) (m : int) (kk : int)
    (n : int) (a : 'a list) (b : 'a list) : 'a list =
  if Obj.repr k == !float_record then
    (Obj.magic (gemm_float m kk n (Obj.magic a : float list) (Obj.magic b : float list)) : 'a list)
  else gemm_generic add mul zero m kk n a b
