import { Injectable } from '@nestjs/common';
import { Cacheable, CacheService } from '../cache';
import { TrendingDto, TrendingItemDto } from './dto/trending.dto';
import { PRODUCT_TRENDING, ProductViews, TrendingWindow } from './product-views';
import { ProductsService } from './products.service';

/** The most viewed products of a window, joined to the products as they are now. */
@Injectable()
export class TrendingService {
  constructor(
    private readonly views: ProductViews,
    private readonly products: ProductsService,
    private readonly cache: CacheService,
  ) {}

  @Cacheable({
    name: PRODUCT_TRENDING,
    key: (window: TrendingWindow, limit: number) => `${window}:${limit}`,
    ttl: 60,
  })
  async trending(window: TrendingWindow, limit: number): Promise<TrendingDto> {
    // A deleted product can still be ranked (another instance may flush a view of it after the
    // delete removed it); it is skipped, so a shortfall is made up by reading further down.
    for (let wanted = limit; ; wanted *= 2) {
      const ranked = await this.views.top(window, wanted);
      const products = await this.cache.untracked(() =>
        this.products.findMany(ranked.map((r) => r.member)),
      );
      const items: TrendingItemDto[] = [];
      ranked.forEach(({ score }, i) => {
        const product = products[i];
        if (product) items.push({ product, views: score });
      });
      if (items.length >= limit || ranked.length < wanted) {
        return { window, items: items.slice(0, limit) };
      }
    }
  }
}
