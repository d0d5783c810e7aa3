(** * Swapping derivative and Gaussian expectation

    [gauss_expect m s h] is E[h x] for x ~ N(m, s^2) (Lebesgue integral of
    [h] against [gauss_pdf m s]).
    - [pathwise_swap]: d/dt E_e[f t e] = E_e[d/dt f t e] (reparameterisation);
    - [score_function_swap]: d/dt E_{x ~ N(mu t, s t)}[h x]
      = E[h x * d/dt log p(x; mu t, s t)];
    - [*_line], [*_vec], [*_mx]: the same for one entry of a vector or matrix
      parameter.
    Each is stated under an explicit integrable dominating function [g]. *)
From Certigrad Require Import Preamble.
From mathcomp Require Import matrix.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

Lemma is_derive_mulrc (phi : R -> R) (t d c : R) :
  is_derive t 1 phi d -> is_derive t 1 (fun y => phi y * c) (d * c).
Proof.
move=> H; apply: trigger_derive.
have E a b : a *: b = a * b :> R by [].
by rewrite !E; to_std; ring.
Qed.

Lemma is_derive_mulcr (phi : R -> R) (t d c : R) :
  is_derive t 1 phi d -> is_derive t 1 (fun y => c * phi y) (c * d).
Proof.
move=> H; apply: trigger_derive.
have E a b : a *: b = a * b :> R by [].
by rewrite !E; to_std; ring.
Qed.

Section pathwise.
Variables (m s : R) (f df : R -> R -> R) (g : R -> R) (a b : R).
Hypothesis intf : forall t, t \in `]a, b[ -> gauss_integrable m s (f t).
Hypothesis derf : forall e t, t \in `]a, b[ -> is_derive t 1 (f ^~ e) (df t e).
Hypothesis ig : lambda.-integrable setT (EFin \o g).
Hypothesis dom : forall e t, t \in `]a, b[ -> `|df t e| * gauss_pdf m s e <= g e.

(** Pathwise (reparameterization) gradient: d/dt E_{e ~ N(m,s^2)}[f t e]
    = E[d/dt f t e]. *)
Theorem pathwise_swap t : t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect m s (f th)) (gauss_expect m s (df t)).
Proof.
move=> tab.
apply: (@leibniz_is_derive _ _ _ lambda setT measurableT
  (fun th e => f th e * gauss_pdf m s e) (fun th e => df th e * gauss_pdf m s e)
  g a b) => //.
- by move=> e _ th thab; apply: is_derive_mulrc; exact: derf.
- move=> e _ th thab; rewrite normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  exact: dom.
Qed.
End pathwise.

Section score_function.
Variables (h : R -> R) (mu s dmu ds : R -> R) (g : R -> R) (a b : R).
Hypothesis dmu_ : forall t, t \in `]a, b[ -> is_derive t 1 mu (dmu t).
Hypothesis ds_ : forall t, t \in `]a, b[ -> is_derive t 1 s (ds t).
Hypothesis s0 : forall t, t \in `]a, b[ -> 0 < s t.
Hypothesis inth : forall t, t \in `]a, b[ -> gauss_integrable (mu t) (s t) h.
Hypothesis ig : lambda.-integrable setT (EFin \o g).
Hypothesis dom : forall x t, t \in `]a, b[ ->
  `|h x * gauss_score (mu t) (s t) (dmu t) (ds t) x| * gauss_pdf (mu t) (s t) x
    <= g x.

(** Score-function (REINFORCE) gradient: d/dt E_{x ~ N(mu t, (s t)^2)}[h x]
    = E[h x * d/dt log p(x; mu t, s t)], the score being [gauss_score]
    (see [is_derive_gauss_logpdf]). *)
Theorem score_function_swap t : t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect (mu th) (s th) h)
    (gauss_expect (mu t) (s t)
       (fun x => h x * gauss_score (mu t) (s t) (dmu t) (ds t) x)).
Proof.
move=> tab.
apply: (@leibniz_is_derive _ _ _ lambda setT measurableT
  (fun th x => h x * gauss_pdf (mu th) (s th) x)
  (fun th x => h x * gauss_score (mu th) (s th) (dmu th) (ds th) x *
               gauss_pdf (mu th) (s th) x)
  g a b) => //.
- move=> x _ th thab; rewrite -mulrA [_ * gauss_pdf _ _ _]mulrC.
  apply: is_derive_mulcr; apply: is_derive_gauss_pdf; [exact: dmu_|exact: ds_|].
  exact: s0.
- move=> x _ th thab; rewrite normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  exact: dom.
Qed.

End score_function.

(** * Partial derivatives with respect to one entry of a vector or matrix
    parameter: the one-dimensional theorems along the line [t |-> th[i := t]]. *)

Definition vec_upd n (th : 'I_n -> R) (i : 'I_n) (t : R) : 'I_n -> R :=
  fun j => if j == i then t else th j.

Lemma vec_upd_id n (th : 'I_n -> R) i : vec_upd th i (th i) = th.
Proof. by apply: funext => j; rewrite /vec_upd; case: eqP => // ->. Qed.

Definition mx_upd p q (A : 'M[R]_(p, q)) (i : 'I_p) (j : 'I_q) (t : R) :=
  \matrix_(k, l) if (k == i) && (l == j) then t else A k l.

Lemma mx_upd_id p q (A : 'M[R]_(p, q)) i j : mx_upd A i j (A i j) = A.
Proof.
apply/matrixP => k l; rewrite /mx_upd mxE.
by case: eqP => [->|//]; case: eqP => [->|].
Qed.

Section partial.
Variables (P : Type) (line : R -> P) (t0 a b : R).
Hypothesis t0ab : t0 \in `]a, b[.

(** Pathwise gradient along a line of parameters. *)
Corollary pathwise_swap_line (m s : R) (F dF : P -> R -> R) (g : R -> R) :
  (forall t, t \in `]a, b[ -> gauss_integrable m s (F (line t))) ->
  (forall e t, t \in `]a, b[ -> is_derive t 1 (fun u => F (line u) e) (dF (line t) e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|dF (line t) e| * gauss_pdf m s e <= g e) ->
  is_derive t0 1 (fun t => gauss_expect m s (F (line t)))
    (gauss_expect m s (dF (line t0))).
Proof.
move=> intF derF ig dom.
exact: (@pathwise_swap m s (fun t => F (line t)) (fun t => dF (line t)) g a b).
Qed.

(** Score-function gradient along a line of parameters. *)
Corollary score_function_swap_line (h : R -> R) (mu s dmu ds : P -> R)
    (g : R -> R) :
  (forall t, t \in `]a, b[ -> is_derive t 1 (mu \o line) (dmu (line t))) ->
  (forall t, t \in `]a, b[ -> is_derive t 1 (s \o line) (ds (line t))) ->
  (forall t, t \in `]a, b[ -> 0 < s (line t)) ->
  (forall t, t \in `]a, b[ -> gauss_integrable (mu (line t)) (s (line t)) h) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall x t, t \in `]a, b[ ->
    `|h x * gauss_score (mu (line t)) (s (line t)) (dmu (line t)) (ds (line t)) x|
      * gauss_pdf (mu (line t)) (s (line t)) x <= g x) ->
  is_derive t0 1 (fun t => gauss_expect (mu (line t)) (s (line t)) h)
    (gauss_expect (mu (line t0)) (s (line t0))
      (fun x => h x * gauss_score (mu (line t0)) (s (line t0))
                        (dmu (line t0)) (ds (line t0)) x)).
Proof.
move=> dmu_ ds_ s0 inth ig dom.
exact: (@score_function_swap h (mu \o line) (s \o line) (dmu \o line)
  (ds \o line) g a b).
Qed.

End partial.

(** The entry-wise instances: [vec_upd th i] and [mx_upd A i j] are lines
    through [th] (resp. [A]) at [t = th i] (resp. [A i j]). *)
Corollary pathwise_swap_vec n (th : 'I_n -> R) (i : 'I_n) (a b m s : R)
    (F dF : ('I_n -> R) -> R -> R) (g : R -> R) :
  th i \in `]a, b[ ->
  (forall t, t \in `]a, b[ -> gauss_integrable m s (F (vec_upd th i t))) ->
  (forall e t, t \in `]a, b[ ->
     is_derive t 1 (fun u => F (vec_upd th i u) e) (dF (vec_upd th i t) e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|dF (vec_upd th i t) e| * gauss_pdf m s e <= g e) ->
  is_derive (th i) 1 (fun t => gauss_expect m s (F (vec_upd th i t)))
    (gauss_expect m s (dF th)).
Proof.
move=> thab intF derF ig dom.
have := @pathwise_swap_line _ (vec_upd th i) (th i) a b thab m s F dF g
  intF derF ig dom.
by rewrite vec_upd_id.
Qed.

Corollary pathwise_swap_mx p q (A : 'M[R]_(p, q)) i j (a b m s : R)
    (F dF : 'M[R]_(p, q) -> R -> R) (g : R -> R) :
  A i j \in `]a, b[ ->
  (forall t, t \in `]a, b[ -> gauss_integrable m s (F (mx_upd A i j t))) ->
  (forall e t, t \in `]a, b[ ->
     is_derive t 1 (fun u => F (mx_upd A i j u) e) (dF (mx_upd A i j t) e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|dF (mx_upd A i j t) e| * gauss_pdf m s e <= g e) ->
  is_derive (A i j) 1 (fun t => gauss_expect m s (F (mx_upd A i j t)))
    (gauss_expect m s (dF A)).
Proof.
move=> Aab intF derF ig dom.
have := @pathwise_swap_line _ (mx_upd A i j) (A i j) a b Aab m s F dF g
  intF derF ig dom.
by rewrite mx_upd_id.
Qed.

Corollary score_function_swap_vec n (th : 'I_n -> R) (i : 'I_n) (a b : R)
    (h : R -> R) (mu s dmu ds : ('I_n -> R) -> R) (g : R -> R) :
  th i \in `]a, b[ ->
  (forall t, t \in `]a, b[ ->
     is_derive t 1 (fun u => mu (vec_upd th i u)) (dmu (vec_upd th i t))) ->
  (forall t, t \in `]a, b[ ->
     is_derive t 1 (fun u => s (vec_upd th i u)) (ds (vec_upd th i t))) ->
  (forall t, t \in `]a, b[ -> 0 < s (vec_upd th i t)) ->
  (forall t, t \in `]a, b[ ->
     gauss_integrable (mu (vec_upd th i t)) (s (vec_upd th i t)) h) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall x t, t \in `]a, b[ ->
    `|h x * gauss_score (mu (vec_upd th i t)) (s (vec_upd th i t))
             (dmu (vec_upd th i t)) (ds (vec_upd th i t)) x|
      * gauss_pdf (mu (vec_upd th i t)) (s (vec_upd th i t)) x <= g x) ->
  is_derive (th i) 1
    (fun t => gauss_expect (mu (vec_upd th i t)) (s (vec_upd th i t)) h)
    (gauss_expect (mu th) (s th)
      (fun x => h x * gauss_score (mu th) (s th) (dmu th) (ds th) x)).
Proof.
move=> thab dmu_ ds_ s0 inth ig dom.
have := @score_function_swap_line _ (vec_upd th i) (th i) a b thab h mu s dmu ds g
  dmu_ ds_ s0 inth ig dom.
by rewrite vec_upd_id.
Qed.

(** * Ready-to-use versions: domination from growth bounds *)

Definition score_const (M s1 D1 D2 : R) : R :=
  (D1 * ((1 + M) / s1) + D2 * (((1 + M) / s1) ^+ 2 + 1)) / s1.

Lemma score_bound (mu s dmu ds x M s1 D1 D2 : R) :
  0 < s1 -> s1 <= s -> `|mu| <= M -> `|dmu| <= D1 -> `|ds| <= D2 ->
  `|gauss_score mu s dmu ds x| <= score_const M s1 D1 D2 * expR (2 * `|x|).
Proof.
move=> s10 s1s muM dD1 dD2.
have s0 : 0 < s := lt_le_trans s10 s1s.
have M0 : 0 <= M := le_trans (normr_ge0 _) muM.
have D10 : 0 <= D1 := le_trans (normr_ge0 _) dD1.
have D20 : 0 <= D2 := le_trans (normr_ge0 _) dD2.
set z := (x - mu) / s; set w := (1 + M) / s1; set E := expR `|x|.
have w0 : 0 <= w by rewrite divr_ge0 ?addr_ge0// ltW.
have E1 : 1 <= E by exact: expR_abs_ge1.
have E0 : 0 <= E := le_trans ler01 E1.
have EE : expR (2 * `|x|) = E * E by rewrite mulr2n mulrDl mul1r expRD.
have zb : `|z| <= w * E.
  rewrite /z normrM normfV (gtr0_norm s0).
  apply: (@le_trans _ _ ((`|x| + M) / s1)).
    apply: ler_pmul => //; first by rewrite invr_ge0 ltW.
      by apply: le_trans (ler_norm_sub _ _) _; rewrite ler_add2l.
    by rewrite lef_pinv ?posrE.
  rewrite /w mulrAC; apply: ler_wpmul2r; first by rewrite invr_ge0 ltW.
  rewrite mulrDl mul1r; apply: ler_add; first exact: expR_ge_id.
  by rewrite -{1}(mulr1 M) ler_wpmul2l.
have z2 : z ^+ 2 <= w ^+ 2 * (E * E).
  rewrite -real_normK ?num_real// mulrACA -expr2.
  by rewrite ler_expn2r ?nnegrE//; exact: mulr_ge0.
have EEge : E <= E * E by rewrite -{1}(mulr1 E) ler_wpmul2l.
have EE1 : 1 <= E * E by rewrite -(mulr1 1) ler_pmul.
have H1 : `|dmu * z + ds * (z ^+ 2 - 1)| <=
    (D1 * w + D2 * (w ^+ 2 + 1)) * (E * E).
  apply: le_trans (ler_norm_add _ _) _; rewrite (normrM dmu z) (normrM ds) mulrDl.
  apply: ler_add.
    rewrite -mulrA; apply: ler_pmul => //.
    apply: le_trans zb _; exact: ler_wpmul2l.
  rewrite -mulrA; apply: ler_pmul => //.
  apply: le_trans (ler_norm_sub _ _) _; rewrite normr1 (ger0_norm (sqr_ge0 _)).
  by rewrite mulrDl mul1r; apply: ler_add.
rewrite /gauss_score -/z normrM normfV (gtr0_norm s0) /score_const -/w EE.
rewrite mulrAC; apply: ler_pmul => //.
- by rewrite invr_ge0 ltW.
- by rewrite lef_pinv ?posrE.
Qed.

Lemma score_const_ge0 M s1 D1 D2 : 0 < s1 -> 0 <= M -> 0 <= D1 -> 0 <= D2 ->
  0 <= score_const M s1 D1 D2.
Proof.
move=> s10 M0 D10 D20; rewrite /score_const; apply: divr_ge0; last exact: ltW.
apply: addr_ge0; apply: mulr_ge0 => //.
  by apply: divr_ge0; [exact: addr_ge0|exact: ltW].
by apply: addr_ge0 => //; exact: sqr_ge0.
Qed.

(** Pathwise swap when [|d/dt f t e| <= C exp(c |e|)] on the interval. *)
Theorem pathwise_swap_growth (m s : R) (f df : R -> R -> R) (a b C c : R) :
  0 < s ->
  (forall t, t \in `]a, b[ -> gauss_integrable m s (f t)) ->
  (forall e t, t \in `]a, b[ -> is_derive t 1 (f ^~ e) (df t e)) ->
  (forall e t, t \in `]a, b[ -> `|df t e| <= C * expR (c * `|e|)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect m s (f th)) (gauss_expect m s (df t)).
Proof.
move=> s0 intf derf bnd t tab.
have C0 : 0 <= C.
  have := le_trans (normr_ge0 _) (bnd 0 t tab).
  by rewrite normr0 mulr0 expR0 mulr1.
apply: (@pathwise_swap m s f df (gauss_dom C c `|m| s s) a b) => //.
  exact: gauss_dom_integrable.
move=> e th thab; apply: le_trans _ (@gauss_dom_le C c `|m| s s m s e s0 (lexx _) (lexx _) (lexx _) C0).
by apply: ler_wpmul2r; [exact: ltW (gauss_pdf_gt0 _ _ _)|exact: bnd].
Qed.

(** Score-function swap when [|h x| <= C exp(c |x|)] and the parameter path
    stays in a box [|mu| <= M], [s1 <= s <= s2] with bounded velocities. *)
Theorem score_function_swap_growth (h : R -> R) (mu s dmu ds : R -> R)
    (a b C c M s1 s2 D1 D2 : R) :
  0 < s1 ->
  (forall t, t \in `]a, b[ -> is_derive t 1 mu (dmu t)) ->
  (forall t, t \in `]a, b[ -> is_derive t 1 s (ds t)) ->
  (forall t, t \in `]a, b[ ->
     [/\ s1 <= s t, s t <= s2, `|mu t| <= M, `|dmu t| <= D1 & `|ds t| <= D2]) ->
  measurable_fun setT h -> (forall x, `|h x| <= C * expR (c * `|x|)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect (mu th) (s th) h)
    (gauss_expect (mu t) (s t)
       (fun x => h x * gauss_score (mu t) (s t) (dmu t) (ds t) x)).
Proof.
move=> s10 dmu_ ds_ box mh hb t tab.
have [s1t st2 mut dmut dst] := box t tab.
have C0 : 0 <= C.
  have := le_trans (normr_ge0 _) (hb 0).
  by rewrite normr0 mulr0 expR0 mulr1.
have M0 : 0 <= M := le_trans (normr_ge0 _) mut.
have D10 : 0 <= D1 := le_trans (normr_ge0 _) dmut.
have D20 : 0 <= D2 := le_trans (normr_ge0 _) dst.
have K0 := score_const_ge0 s10 M0 D10 D20.
set K := score_const M s1 D1 D2 in K0.
have s20 : 0 < s2 := lt_le_trans s10 (le_trans s1t st2).
apply: (@score_function_swap h mu s dmu ds (gauss_dom (C * K) (c + 2) M s1 s2) a b)
  => //.
- by move=> th thab; have [+ _ _ _ _] := box th thab; exact: lt_le_trans.
- move=> th thab; have [s1th _ _ _ _] := box th thab.
  exact: gauss_integrable_expR (lt_le_trans s10 s1th) mh hb.
- exact: gauss_dom_integrable.
move=> x th thab; have [s1th sth2 muth dmuth dsth] := box th thab.
apply: le_trans _ (@gauss_dom_le (C * K) (c + 2) M s1 s2 (mu th) (s th) x s10 s1th sth2 muth (mulr_ge0 C0 K0)).
apply: ler_wpmul2r; first exact: ltW (gauss_pdf_gt0 _ _ _).
rewrite normrM mulrDl expRD mulrACA; apply: ler_pmul => //.
exact: score_bound.
Qed.
